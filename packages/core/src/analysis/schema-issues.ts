/**
 * The config's default export as plain data and zod's issues for it, exactly as one `safeParse` of
 * the whole export gives them, but worked out loop by loop: each loop's plain value and issues
 * are kept for as long as its value is the same (value-identity.ts). After an edit inside one loop
 * of 200, the language server converts and validates that loop alone. The export's other keys
 * are validated each time (with the loops left out: the schema has no rule across loops).
 */
import { configSchema } from '@skene/sdk';
import type { z } from 'zod';
import type { ConfigDocument } from './document.js';
import { rootSchema } from './schema-walk.js';
import { toPlain, type Range, type ValueNode } from './values.js';
import { readingCut, treeReading } from './value-reading.js';
import { valueIdentity } from './value-identity.js';

type Issue = z.core.$ZodIssue;

const loopItemSchema = configSchema.shape.loops.element;
const plainOfLoop = new WeakMap<ValueNode, unknown>();
const issuesOfLoop = new WeakMap<ValueNode, Issue[]>();

/** The loops' array in the export (the export itself for an array of loops), when there is one. */
function loopItems(doc: ConfigDocument): ValueNode[] | undefined {
  const { root, shape } = doc;
  if (shape === 'loops' && root?.kind === 'array') return root.items;
  if (shape !== 'config' || root?.kind !== 'object') return undefined;
  let loops: ValueNode | undefined;
  for (const p of root.properties) if (p.key === 'loops') loops = p.value; // the last wins, as in toPlain
  return loops?.kind === 'array' ? loops.items : undefined;
}

function loopPlain(node: ValueNode): unknown {
  const id = valueIdentity(node);
  let plain = plainOfLoop.get(id);
  if (plain === undefined) plainOfLoop.set(id, (plain = toPlain(node)));
  return plain;
}

/** The default export as plain data (toPlain's), each loop's taken from the last time it was seen. */
export function exportPlain(doc: ConfigDocument): unknown {
  const { root } = doc;
  const items = loopItems(doc);
  if (!root || !items) return toPlain(root);
  if (root.kind === 'array') return items.map(loopPlain);
  if (root.kind !== 'object') return toPlain(root);
  const out: Record<string, unknown> = {};
  for (const p of root.properties) {
    out[p.key] = !p.value ? undefined : p.key === 'loops' && p.value.kind === 'array' ? p.value.items.map(loopPlain) : toPlain(p.value);
  }
  return out;
}

/** zod's issues for the export (`plain`: exportPlain's), in the order one whole parse lists them. */
export function exportIssues(doc: ConfigDocument, plain: unknown): Issue[] {
  const { shape } = doc;
  if (!shape) return [];
  const items = loopItems(doc);
  const plainItems = shape === 'loops' ? plain : (plain as { loops?: unknown } | undefined)?.loops;
  if (!items || !Array.isArray(plainItems) || plainItems.length !== items.length) return rootSchema(shape).safeParse(plain).error?.issues ?? [];
  const prefix = shape === 'loops' ? [] : ['loops'];
  const issues: Issue[] = [];
  items.forEach((node, i) => {
    for (const issue of loopIssues(node, plainItems[i])) issues.push({ ...issue, path: [...prefix, i, ...issue.path] });
  });
  // The export's other keys, after the loops: a strict object reports its keys in order, and the
  // loops come first in its shape.
  if (shape === 'config') issues.push(...(configSchema.safeParse({ ...(plain as object), loops: [] }).error?.issues ?? []));
  return issues;
}

function loopIssues(node: ValueNode, plain: unknown): Issue[] {
  const id = valueIdentity(node);
  let issues = issuesOfLoop.get(id);
  if (!issues) issuesOfLoop.set(id, (issues = loopItemSchema.safeParse(plain).error?.issues ?? []));
  return issues;
}

/**
 * The plain value of the loop written at `range`, as validation worked it out (and keeps while the
 * loop is the same), in a document read without consts: there a loop's value is what its text
 * reads alone. Undefined when no loop is written there.
 */
export function loopPlainAt(doc: ConfigDocument, range: Range): { plain: unknown } | undefined {
  // Read alone, a loop's values stop at the limits (depth, count) later than in the file's reading.
  if (!doc.root || treeReading(doc.root) !== 'literal' || readingCut(doc.root)) return undefined;
  const { loops } = doc;
  let low = 0;
  let high = loops.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const node = loops[mid]!.node;
    if (node.range.start < range.start) low = mid + 1;
    else if (node.range.start > range.start) high = mid - 1;
    else return node.range.end === range.end ? { plain: loopPlain(node) } : undefined;
  }
  return undefined;
}
