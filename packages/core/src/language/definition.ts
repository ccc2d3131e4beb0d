/**
 * Go to definition: a template name → its file in emails/; a table (trigger table, a table in a
 * query, a `{{user.…}}`/`{{row.…}}` column) → its CREATE TABLE in the schema files.
 */
import { dirname, isAbsolute, join } from 'node:path';
import type { ConfigDocument } from '../analysis/document.js';
import type { ProjectContext, TableInfo } from '../analysis/project.js';
import { scanPlaceholders } from '../template/placeholders.js';
import { nodeAt, ts } from '../analysis/syntax.js';
import { roleOfNode } from './anchor.js';
import { wordAround } from './cursor.js';
import { fieldAt } from './fields.js';
import { configTable, matchTable, rowTable, sqlTableAt, sqlTablesIn, stepOf, userTableFor } from './project-lookup.js';
import type { Location } from './types.js';

export function definition(doc: ConfigDocument, offset: number, project: ProjectContext = {}): Location[] {
  const sf = doc.sourceFile;
  const node = [offset + 1, offset]
    .map((at) => nodeAt(sf, Math.min(at, sf.text.length)))
    .find((n) => (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && n.getStart(sf) <= offset && offset < n.end);
  if (!node || !(ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return [];
  const role = roleOfNode(node, sf);
  if (!role || role.kind !== 'value') return [];
  const field = fieldAt(role.anchor, role.path);
  if (!field) return [];
  const dir = dirname(doc.fileName);
  const originRange = { start: node.getStart(sf), end: node.end };
  const tableAt = (t: TableInfo | undefined, range = originRange): Location[] =>
    t ? [{ path: isAbsolute(t.file) ? t.file : join(dir, t.file), line: t.line, character: t.character, originRange: range }] : [];

  switch (field.role) {
    case 'template': {
      const t = project.templates?.get(node.text);
      return t ? [{ path: join(dir, t.file), line: 0, character: 0, originRange }] : [];
    }
    case 'table':
      return tableAt(configTable(node.text, project));
    case 'query': {
      const { range } = wordAround(sf.text, offset + (/[\w$]/.test(sf.text[offset] ?? '') ? 1 : 0));
      const found = range.end > range.start ? sqlTableAt(sf.text, range, sqlTablesIn(node.text, project)) : undefined;
      return found ? tableAt(found.table, found.range) : [];
    }
    case 'template-string': {
      const contentStart = node.getStart(sf) + 1;
      const raw = sf.text.slice(contentStart, node.end - 1);
      const p = scanPlaceholders(raw).placeholders.find((ph) => ph.start <= offset - contentStart && offset - contentStart < ph.end);
      if (!p) return [];
      const step = stepOf(role.anchor, role.path);
      const [root] = p.path;
      const t =
        root === 'user'
          ? userTableFor(step, project, doc)
          : root === 'row'
            ? rowTable(step, project)
            : root === 'match'
              ? matchTable(step, project)
              : undefined;
      return tableAt(t, { start: contentStart + p.start, end: contentStart + p.end });
    }
    default:
      return [];
  }
}
