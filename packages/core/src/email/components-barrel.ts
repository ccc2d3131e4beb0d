/**
 * `@react-email/components` re-exports every React Email package, Tailwind's compiler, Prism and
 * Prettier among them: esbuild parsed 2.4 MB for each template to keep the ~16 KB it uses (on 2
 * cores, 250–290 ms a template alone, 0.5–1.3 s beside the plan's other work). When the template
 * imports it by name only, this esbuild plugin gives the template a module that re-exports those
 * names from their own packages (`Body` from `@react-email/body`, as the barrel does): the same
 * bundle, byte for byte, from 16 KB of input.
 *
 * Only for the template file's own `import { … } from '@react-email/components'` statements, and
 * only when every name is a component whose package the installed barrel re-exports; any other
 * importer (a local component, a `require`) gets the real barrel. A name that package does not
 * export fails the build, which compile.ts then repeats without this plugin: a template never
 * compiles differently, or fails, because of it.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type * as esbuild from 'esbuild';

const COMPONENTS = '@react-email/components';
const NAMESPACE = 'skene-react-email-components';

/** `CodeBlock` → `@react-email/code-block`: React Email's naming of a component's own package. */
function packageOf(component: string): string {
  return `@react-email/${component.replace(/[A-Z]/g, (c, i: number) => (i ? '-' : '') + c.toLowerCase())}`;
}

/** The plugin for template `file`, which imports `names` from `@react-email/components` (react-compile.ts's readReactTemplate). */
export function componentsBarrel(file: string, names: readonly string[]): esbuild.Plugin {
  return {
    name: 'skene-react-email-components',
    setup(build) {
      build.onResolve({ filter: /^@react-email\/components$/ }, async (args) => {
        if (args.importer !== file || args.kind !== 'import-statement' || args.pluginData === NAMESPACE) return undefined;
        const barrel = await build.resolve(COMPONENTS, { kind: 'import-statement', resolveDir: args.resolveDir, pluginData: NAMESPACE });
        if (barrel.errors.length || !barrel.path) return undefined;
        let listed: string;
        try {
          listed = readFileSync(barrel.path, 'utf8');
        } catch {
          return undefined;
        }
        const reexports = names.map((name) => ({ name, from: packageOf(name) }));
        if (!reexports.every(({ from }) => listed.includes(`"${from}"`) || listed.includes(`'${from}'`))) return undefined;
        const contents = reexports.map(({ name, from }) => `export { ${name} } from ${JSON.stringify(from)};`).join('\n');
        return { path: barrel.path, namespace: NAMESPACE, pluginData: { contents, resolveDir: dirname(barrel.path) } };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const { contents, resolveDir } = args.pluginData as { contents: string; resolveDir: string };
        return { contents, resolveDir, loader: 'js' };
      });
    },
  };
}
