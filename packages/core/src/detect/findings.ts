/** What detection found so far: one finding per name, with every place that shows it. */
import type { StackEvidence, StackFinding, StackFindingKind } from './types.js';

export class Findings {
  readonly list: StackFinding[] = [];
  add(kind: StackFindingKind, name: string, evidence: StackEvidence, version?: string): void {
    const existing = this.list.find((f) => f.name === name);
    if (!existing) {
      this.list.push({ kind, name, evidence: [evidence], ...(version ? { version } : {}) });
      return;
    }
    if (!existing.evidence.some((e) => e.file === evidence.file && e.line === evidence.line)) existing.evidence.push(evidence);
    if (version && !existing.version) existing.version = version;
  }
  has(name: string): boolean {
    return this.list.some((f) => f.name === name);
  }
}

/** The file name of a `/`-separated project path. */
export const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);
