import type { z } from 'zod';
import type { ConfigDocument, LoopEntry } from './document.js';
import type { Diagnostic, DiagnosticCode, Fix, Severity } from './diagnostics.js';
import type { Dialect } from '../dialect.js';
import type { ProjectContext } from './project.js';
import { scanPlaceholders } from '../template/placeholders.js';
import { exportIssues, exportPlain } from './schema-issues.js';
import { nodeAtPath, type ObjectNode, type Range, type StringNode, type ValueNode } from './values.js';
import { Memo } from '../memo.js';

export interface TemplateString {
  entry: StepEntry;
  node: StringNode;
  /** Where in the step: `to`, `subject`, `personalization.<key>`, `command`, `goal.command`. */
  where: string;
}

const scans = new Memo<ReturnType<typeof scanPlaceholders>>(5000);

export interface StepEntry {
  loopIndex: number;
  loop: ObjectNode;
  stepIndex: number;
  step: ObjectNode;
  /** `database` / `schedule` when the trigger type is a literal we can read. */
  triggerType: string | undefined;
  trigger: ValueNode | undefined;
  condition: ValueNode | undefined;
  action: ValueNode | undefined;
}

/**
 * What a rule is run over (analyze.ts): the whole document; its parts outside the loops; or one
 * loop, whose diagnostics are kept while its value is the same (loop-results.ts). A rule run over
 * the document and then over each loop reports what it reports over the whole: the steps, goals,
 * template strings, queries and schema issues it reads are those of the scope.
 */
export type RuleScope = { kind: 'whole' } | { kind: 'outside-loops' } | { kind: 'loop'; loop: LoopEntry };

type Issue = z.core.$ZodIssue;

/** What every scope of one validation reads of the whole document, worked out once for all of them. */
class DocumentFacts {
  private plainRoot: unknown;
  private issues: { all: Issue[]; byLoop: Map<number | undefined, Issue[]> } | undefined;
  private vouched: string[] | undefined;

  constructor(private readonly doc: ConfigDocument) {}

  get plain(): unknown {
    return (this.plainRoot ??= exportPlain(this.doc));
  }

  /** zod's issues for the export: all, and by the loop each lies in (undefined: outside the loops). */
  schemaIssues(): { all: Issue[]; byLoop: Map<number | undefined, Issue[]> } {
    if (!this.issues) {
      const all = exportIssues(this.doc, this.plain);
      const byLoop = new Map<number | undefined, Issue[]>();
      for (const issue of all) {
        const loop = loopIndexOf(this.doc, issue.path);
        const list = byLoop.get(loop);
        if (list) list.push(issue);
        else byLoop.set(loop, [issue]);
      }
      this.issues = { all, byLoop };
    }
    return this.issues;
  }

  get allowFunctions(): string[] {
    if (!this.vouched) {
      const list = this.doc.root?.kind === 'object' ? this.doc.root.properties.find((p) => p.key === 'database')?.value : undefined;
      const items = list?.kind === 'object' ? list.properties.find((p) => p.key === 'allowFunctions')?.value : undefined;
      this.vouched = items?.kind === 'array' ? items.items.flatMap((i) => (i.kind === 'string' ? [i.value] : [])) : [];
    }
    return this.vouched;
  }
}

const WHOLE: RuleScope = { kind: 'whole' };

export class RuleContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly scope: RuleScope;
  private readonly facts: DocumentFacts;

  constructor(
    readonly doc: ConfigDocument,
    readonly dialect: Dialect,
    readonly project: ProjectContext,
    /** Whether plain TypeScript syntax errors are reported (analyze.ts: SyntaxReporting). */
    readonly syntax: 'report' | 'leave-to-typescript' = 'report',
    /** A part of the document, sharing what the whole context worked out (`scoped`). */
    part?: { scope: RuleScope; facts: DocumentFacts },
  ) {
    this.scope = part?.scope ?? WHOLE;
    this.facts = part?.facts ?? new DocumentFacts(doc);
  }

  /** The same document, dialect and project, over a part of the document. */
  scoped(scope: RuleScope): RuleContext {
    return new RuleContext(this.doc, this.dialect, this.project, this.syntax, { scope, facts: this.facts });
  }

  /** The loops in scope. */
  get loops(): LoopEntry[] {
    return this.scope.kind === 'whole' ? this.doc.loops : this.scope.kind === 'loop' ? [this.scope.loop] : [];
  }

  /** Whether the parts outside the loops are in scope (config-level values: `limits`, `database`, `users`). */
  get outsideLoops(): boolean {
    return this.scope.kind !== 'loop';
  }

  report(code: DiagnosticCode, range: Range, message: string, fixes?: Fix[], severity: Severity = 'error'): void {
    this.diagnostics.push({ code, severity, range, message, ...(fixes?.length ? { fixes } : {}) });
  }

  /** `database.allowFunctions` as written in the config (the functions it vouches for). */
  get allowFunctions(): string[] {
    return this.facts.allowFunctions;
  }

  /** The default export as plain data (opaque parts marked), computed once (each unchanged loop's kept). */
  get plain(): unknown {
    return this.facts.plain;
  }

  /** zod's issues for the scope's part of the export, computed once for the whole (each unchanged loop's kept) and shared by the structure rules. */
  schemaIssues(): { issue: Issue; node: ValueNode | undefined; parent: ValueNode | undefined }[] {
    const { root, shape } = this.doc;
    if (!root || !shape) return [];
    const { all, byLoop } = this.facts.schemaIssues();
    const { scope } = this;
    const issues = scope.kind === 'whole' ? all : (byLoop.get(scope.kind === 'loop' ? scope.loop.index : undefined) ?? []);
    const out = [];
    for (const issue of issues) {
      const at = nodeAtPath(root, issue.path);
      if (at.opaque || at.parent?.kind === 'opaque') continue; // computed at run time: not ours to judge
      out.push({ issue, node: at.node, parent: at.parent });
    }
    return out;
  }

  private stepList: StepEntry[] | undefined;

  /** Every step of every loop, read once and shared by the rules. */
  steps(): StepEntry[] {
    return (this.stepList ??= [...this.readSteps()]);
  }

  /** Each loop's `goal`, with the loop's first step (a goal's text is checked as its conditions are). */
  goals(): { entry: StepEntry; goal: ValueNode }[] {
    const out: { entry: StepEntry; goal: ValueNode }[] = [];
    for (const entry of this.steps()) {
      if (entry.stepIndex !== 0) continue;
      const goal = entry.loop.properties.find((p) => p.key === 'goal')?.value;
      if (goal) out.push({ entry, goal });
    }
    return out;
  }

  private *readSteps(): Generator<StepEntry> {
    for (const { index: loopIndex, node: loop } of this.loops) {
      if (loop.kind !== 'object') continue;
      const steps = loop.properties.find((p) => p.key === 'steps')?.value;
      if (steps?.kind !== 'array') continue;
      for (const [stepIndex, step] of steps.items.entries()) {
        if (step.kind !== 'object') continue;
        const get = (key: string) => step.properties.find((p) => p.key === key)?.value;
        const trigger = get('trigger');
        const type = trigger?.kind === 'object' ? trigger.properties.find((p) => p.key === 'type')?.value : undefined;
        yield {
          loopIndex,
          loop,
          stepIndex,
          step,
          triggerType: type?.kind === 'string' ? type.value : undefined,
          trigger,
          condition: get('condition'),
          action: get('action'),
        };
      }
    }
  }

  /**
   * The `{{…}}` of a template string, scanned once per text: three rules read every string's, and
   * an edit leaves all but one loop's strings as they were (the scans are shared: read only).
   */
  placeholdersIn(text: string): ReturnType<typeof scanPlaceholders> {
    return scans.get(text, () => scanPlaceholders(text));
  }

  private templateList: TemplateString[] | undefined;

  /** Every string in the loops that holds `{{…}}` templates: personalization values, to, subject, redis command args; read once, shared by the rules. */
  templateStrings(): TemplateString[] {
    return (this.templateList ??= [...this.readTemplateStrings()]);
  }

  private *readTemplateStrings(): Generator<TemplateString> {
    for (const entry of this.steps()) {
      const { action, condition } = entry;
      if (action?.kind === 'object') {
        for (const p of action.properties) {
          if ((p.key === 'to' || p.key === 'subject') && p.value?.kind === 'string') yield { entry, node: p.value, where: p.key };
          if (p.key === 'personalization' && p.value?.kind === 'object') {
            for (const q of p.value.properties) if (q.value?.kind === 'string') yield { entry, node: q.value, where: `personalization.${q.key}` };
          }
        }
      }
      if (condition?.kind === 'object') {
        const command = condition.properties.find((p) => p.key === 'command')?.value;
        if (command?.kind === 'array') for (const item of command.items) if (item.kind === 'string') yield { entry, node: item, where: 'command' };
      }
    }
    for (const { entry, goal } of this.goals()) {
      const command = goal.kind === 'object' ? goal.properties.find((p) => p.key === 'command')?.value : undefined;
      if (command?.kind === 'array') for (const item of command.items) if (item.kind === 'string') yield { entry, node: item, where: 'goal.command' };
    }
  }
}

/** The loop an issue's path lies in (`['loops', 3, …]`, or `[3, …]` in an array of loops), if any. */
function loopIndexOf(doc: ConfigDocument, path: readonly PropertyKey[]): number | undefined {
  const at = doc.shape === 'config' ? (path[0] === 'loops' ? path[1] : undefined) : doc.shape === 'loops' ? path[0] : undefined;
  return typeof at === 'number' ? at : undefined;
}

/** A string literal's replacement text, in the literal's own quote style. */
export function replaceString(node: StringNode, source: string, value: string): string {
  const quote = source[node.range.start];
  const escaped = quote === '`' ? value.replace(/[`\\]|\$\{/g, (m) => '\\' + m) : value.replace(new RegExp(`[${quote}\\\\]`, 'g'), (m) => '\\' + m);
  return `${quote}${escaped}${quote}`;
}
