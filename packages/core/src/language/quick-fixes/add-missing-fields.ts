/**
 * SKN002 missing required field: add the object's missing required keys with placeholder values
 * (read from the schema at the object's path, not from the message).
 */
import type TS from 'typescript';
import { unwrapSchema } from '../../analysis/schema-walk.js';
import { adopt, nodeAt, parentOf, propertyKey, ts } from '../../analysis/syntax.js';
import { pathTo } from '../anchor.js';
import { keysFor } from '../fields.js';
import { skeleton } from '../skeleton.js';
import type { QuickFix } from './attached-fixes.js';

export const addMissingFields: QuickFix = (diagnostic, doc) => {
  const sf = doc.sourceFile;
  const { start, end } = diagnostic.range;
  const node = nodeAt(sf, end > start ? start + 1 : start);
  let object: TS.ObjectLiteralExpression | undefined;
  const parent = parentOf(node);
  if (ts.isIdentifier(node) && parent && ts.isPropertyAssignment(parent) && parent.name === node) {
    if (ts.isObjectLiteralExpression(parent.initializer)) {
      object = parent.initializer;
      adopt(object, parent); // reached from its key, not by nodeAt
    }
  } else if (node.kind === ts.SyntaxKind.OpenBraceToken && parent && ts.isObjectLiteralExpression(parent)) {
    object = parent;
  } else if (ts.isObjectLiteralExpression(node)) {
    object = node;
  }
  if (!object) return [];
  const at = pathTo(object, sf);
  if (!at) return [];
  const present = new Set(object.properties.map((p) => (p.name ? propertyKey(p.name) : undefined)));
  const missing = keysFor(at.anchor, at.path).filter((k) => k.required && !present.has(k.key) && !unwrapSchema(k.schema).optional);
  if (!missing.length) return [];
  const entries = missing.map((k) => `${k.key}: ${skeleton(k.schema, false)}`);
  const last = object.properties.at(-1);
  let edit;
  if (!last) {
    const brace = object.getStart(sf) + 1;
    edit = { range: { start: brace, end: brace }, newText: ` ${entries.join(', ')} ` };
  } else {
    const multiline = sf.text.slice(object.getStart(sf), object.end).includes('\n');
    const lineStart = sf.text.lastIndexOf('\n', last.getStart(sf) - 1) + 1;
    const indent = /^[ \t]*/.exec(sf.text.slice(lineStart))![0];
    const sep = multiline ? `,\n${indent}` : ', ';
    edit = { range: { start: last.end, end: last.end }, newText: `${sep}${entries.join(sep)}` };
  }
  const title = `Add missing ${missing.length === 1 ? 'field' : 'fields'} ${missing.map((k) => `'${k.key}'`).join(', ')}`;
  return [{ title, kind: 'quickfix', diagnostic, edits: [edit], isPreferred: true }];
};
