/**
 * Skene's repository, named in one place: diagnostic code links (`docsUrl`), and anything else core
 * writes that points at the sources or docs. The `repository` field of each package.json is data
 * that must name the same repository: test/repository.test.ts checks that they agree.
 */
export const REPOSITORY = 'skene-technologies/skene';
export const REPOSITORY_URL = `https://github.com/${REPOSITORY}`;

/** A file of the repository on the main branch, as GitHub shows it: `docs/plan.md`. */
export function repositoryFileUrl(path: string): string {
  return `${REPOSITORY_URL}/blob/main/${path}`;
}
