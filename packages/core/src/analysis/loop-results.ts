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
import type { RuleContext } from './context.js';
import type { Diagnostic, Fix } from './diagnostics.js';
import type { ConfigDocument, LoopEntry } from './document.js';
import type { ProjectContext } from './project.js';
import { readFromLastVersion } from './incremental.js';
import { valueIdentity } from './value-identity.js';
import { treeReading } from './value-reading.js';
import type { Range, ValueNode } from './values.js';

/** What a loop's diagnostics depend on besides the document: compared field by field. */
interface RuleSettings {
  dialect: Dialect;
  project: ProjectContext;
  syntax: 'report' | 'leave-to-typescript';
}

/** Runs rules over a context, each rule's failure reported rather than thrown (analyze.ts); false when one failed. */
export type RunRules = (ctx: RuleContext) => boolean;

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

/**
 * Whether a document's diagnostics are worked out loop by loop: an edited version read from the
 * last one (incremental.ts), whose loops the edit did not touch are the last version's. A document
 * read whole (a file opened, `skene check`) has every rule run once over all its loops: loop by
 * loop costs a third more when no loop's diagnostics can be kept.
 */
export function splitsByLoop(doc: ConfigDocument): boolean {
  return readFromLastVersion(doc) && (doc.shape === 'config' || doc.shape === 'loops') && doc.root !== undefined && treeReading(doc.root) === 'literal';
}

/**
 * The diagnostics `runLoopRules` gives over the parts outside the loops and over each loop: each
 * loop's kept from the last time while its inputs are the same. Undefined when a rule failed: the
 * caller runs the rules over the whole document instead, which reports the failure once.
 */
export function diagnosticsByLoop(whole: RuleContext, runLoopRules: RunRules): Diagnostic[] | undefined {
  const { doc, dialect, project, syntax } = whole;
  const settings: RuleSettings = { dialect, project, syntax };
  const outsideCtx = whole.scoped({ kind: 'outside-loops' });
  if (!runLoopRules(outsideCtx)) return undefined;
  const out = outsideCtx.diagnostics;
  const outside = outsideKeys(doc);
  for (const loop of doc.loops) {
    const diagnostics = loopDiagnostics({ whole, loop, settings, outside, runLoopRules });
    if (!diagnostics) return undefined;
    for (const d of diagnostics) out.push(d);
  }
  return out;
}

function loopDiagnostics(at: {
  whole: RuleContext;
  loop: LoopEntry;
  settings: RuleSettings;
  outside: readonly unknown[];
  runLoopRules: RunRules;
}): Diagnostic[] | undefined {
  const { loop, settings } = at;
  const identity = valueIdentity(loop.node);
  const start = loop.node.range.start;
  const before = kept.get(identity);
  if (before && sameInputs(before.inputs, { settings, index: loop.index, outside: at.outside })) {
    if (before.start === start) return before.diagnostics;
    const moved = before.diagnostics.map((d) => movedDiagnostic(d, start - before.start));
    kept.set(identity, { inputs: before.inputs, start, diagnostics: moved });
    return moved;
  }
  const ctx = at.whole.scoped({ kind: 'loop', loop });
  if (!at.runLoopRules(ctx)) {
    kept.delete(identity);
    return undefined;
  }
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
