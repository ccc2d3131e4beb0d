/**
 * Diagnostics loop by loop (issue 17: diagnostics after an edit). The rules that judge one loop at
 * a time run over the config's parts outside its loops, then over each loop, and what they report
 * inside a loop is kept for as long as the loop's value is the same (value-identity.ts: the loops
 * an edit only moved) and nothing else they read has changed: the project, the dialect, the
 * config's keys outside the loops and the loop's place in the list. After an edit inside one loop
 * of 200, those rules run over that loop and the config's own keys; the loops before it keep their
 * diagnostics as they are, those after it have them moved by the edit's length. The rules that
 * look across loops (analyze.ts: WHOLE_DOCUMENT_RULES) run over the whole document each time.
 *
 * Only for a config read without consts (`literal`, value-reading.ts): each node then lies within
 * its loop, so what a rule reports about a loop lies there too. A loop whose diagnostics point (or
 * whose fixes edit) outside it is checked again every time rather than kept.
 */
import type { Dialect } from '../dialect.js';
import { RuleContext } from './context.js';
import type { Diagnostic, Fix } from './diagnostics.js';
import type { ConfigDocument, LoopEntry } from './document.js';
import type { ProjectContext } from './project.js';
import { valueIdentity } from './value-identity.js';
import { treeReading } from './value-reading.js';
import type { Range, ValueNode } from './values.js';

export interface RuleSettings {
  dialect: Dialect;
  project: ProjectContext;
  syntax: 'report' | 'leave-to-typescript';
}

/** Runs rules over a context, each rule's failure reported rather than thrown (analyze.ts). */
export type RunRules = (ctx: RuleContext) => void;

/** What a loop's diagnostics were worked out from, besides the loop's own value. */
interface LoopInputs {
  settings: RuleSettings;
  index: number;
  /** The config's keys outside the loops, each with its value's identity. */
  outside: readonly unknown[];
}

interface Kept {
  inputs: LoopInputs;
  /** Where the loop started when these were worked out (ranges are the document's offsets). */
  start: number;
  diagnostics: Diagnostic[];
}

const kept = new WeakMap<ValueNode, Kept>();

/** Whether a document's diagnostics can be worked out loop by loop. */
export function splitsByLoop(doc: ConfigDocument): boolean {
  return (doc.shape === 'config' || doc.shape === 'loops') && doc.root !== undefined && treeReading(doc.root) === 'literal';
}

/**
 * The diagnostics `runLoopRules` gives over the parts outside the loops and over each loop: each
 * loop's kept from the last time while its inputs are the same.
 */
export function diagnosticsByLoop(doc: ConfigDocument, settings: RuleSettings, runLoopRules: RunRules): Diagnostic[] {
  const { dialect, project, syntax } = settings;
  const outsideCtx = new RuleContext(doc, dialect, project, syntax, { kind: 'outside-loops' });
  runLoopRules(outsideCtx);
  const out = outsideCtx.diagnostics;
  const outside = outsideKeys(doc);
  for (const loop of doc.loops) {
    for (const d of loopDiagnostics({ doc, loop, settings, outside, runLoopRules })) out.push(d);
  }
  return out;
}

function loopDiagnostics(at: {
  doc: ConfigDocument;
  loop: LoopEntry;
  settings: RuleSettings;
  outside: readonly unknown[];
  runLoopRules: RunRules;
}): Diagnostic[] {
  const { doc, loop, settings } = at;
  const identity = valueIdentity(loop.node);
  const start = loop.node.range.start;
  const before = kept.get(identity);
  if (before && sameInputs(before.inputs, { settings, index: loop.index, outside: at.outside })) {
    if (before.start === start) return before.diagnostics;
    const moved = before.diagnostics.map((d) => movedDiagnostic(d, start - before.start));
    kept.set(identity, { inputs: before.inputs, start, diagnostics: moved });
    return moved;
  }
  const ctx = new RuleContext(doc, settings.dialect, settings.project, settings.syntax, { kind: 'loop', loop });
  at.runLoopRules(ctx);
  const { diagnostics } = ctx;
  if (diagnostics.every((d) => withinLoop(d, loop.node.range)))
    kept.set(identity, { inputs: { settings, index: loop.index, outside: at.outside }, start, diagnostics });
  else kept.delete(identity);
  return diagnostics;
}

/** The config's keys outside its loops, each followed by its value's identity (an array of loops has none). */
function outsideKeys(doc: ConfigDocument): unknown[] {
  const keys: unknown[] = [];
  if (doc.shape !== 'config' || doc.root?.kind !== 'object') return keys;
  for (const p of doc.root.properties) {
    if (p.key === 'loops') continue;
    keys.push(p.key, p.computed === true, p.value && valueIdentity(p.value));
  }
  return keys;
}

function sameInputs(a: LoopInputs, b: LoopInputs): boolean {
  const s = a.settings;
  const t = b.settings;
  if (s.dialect !== t.dialect || s.project !== t.project || s.syntax !== t.syntax || a.index !== b.index) return false;
  return a.outside.length === b.outside.length && a.outside.every((v, i) => v === b.outside[i]);
}

function withinLoop(d: Diagnostic, loop: Range): boolean {
  const within = (r: Range) => loop.start <= r.start && r.end <= loop.end;
  return within(d.range) && (d.fixes ?? []).every((f) => f.edits.every((e) => within(e.range)));
}

function movedDiagnostic(d: Diagnostic, delta: number): Diagnostic {
  const moved: Diagnostic = { ...d, range: moveRange(d.range, delta) };
  if (d.fixes) moved.fixes = d.fixes.map((f): Fix => ({ ...f, edits: f.edits.map((e) => ({ ...e, range: moveRange(e.range, delta) })) }));
  return moved;
}

const moveRange = (r: Range, delta: number): Range => ({ start: r.start + delta, end: r.end + delta });
