/**
 * Hover in `skene.config.ts`: every field's documentation (the schema's descriptions), a cron
 * expression in words with its next occurrences, durations in words, a template's file and props,
 * a table's columns, and what a `{{…}}` placeholder reads.
 */
import type TS from 'typescript';
import type { ConfigDocument } from '../analysis/document.js';
import { cronProblem } from '../analysis/rules/invalid-cron.js';
import type { ProjectContext } from '../analysis/project.js';
import type { Range } from '../analysis/values.js';
import { scanPlaceholders } from '../template/placeholders.js';
import { columnsMarkdown } from './completion.js';
import { nodeAt, ts } from '../analysis/syntax.js';
import { roleOfNode, type Segment } from './anchor.js';
import { wordAround } from './cursor.js';
import { fieldAt, typeLabel, type FieldInfo } from './fields.js';
import { tableKey } from '../analysis/table-names.js';
import {
  configTable,
  loopPlaceholderFields,
  matchTable,
  ROOT_DOCS,
  rowTable,
  sqlTableAt,
  sqlTablesIn,
  stepOf,
  userTableFor,
  type StepData,
} from './project-lookup.js';
import type { HoverResult } from './types.js';
import { cronInWords, durationInWords, nextOccurrences } from './words.js';

export interface HoverOptions {
  /** The instant "next occurrences" are counted from (tests pin it); default now. */
  now?: Date;
}

export function hover(doc: ConfigDocument, offset: number, project: ProjectContext = {}, options: HoverOptions = {}): HoverResult | undefined {
  const sf = doc.sourceFile;
  const node = hoverNode(sf, offset);
  if (!node) return undefined;
  const role = roleOfNode(node, sf);
  if (!role) return undefined;
  const field = fieldAt(role.anchor, role.path);
  if (!field) return undefined;
  const range: Range = { start: node.getStart(sf), end: node.end };
  const header = fieldHeader(role.path, field);
  if (role.kind === 'key') {
    const prop =
      fieldAt(role.anchor, role.path.slice(0, -1))?.role === 'personalization'
        ? propDetails(String(field.key), stepOf(role.anchor, role.path), project)
        : undefined;
    return { contents: [header, prop, field.description].filter(Boolean).join('\n\n'), range };
  }

  const step = stepOf(role.anchor, role.path);
  const isString = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
  const value = isString ? node.text : undefined;
  // Within strings with their own language, hover the part under the cursor.
  if (value !== undefined && field.role === 'template-string') {
    const inner = placeholderHover(node as TS.StringLiteral, offset, doc, step, project);
    if (inner) return inner;
  }
  if (value !== undefined && field.role === 'query') {
    const { word, range: wordRange } = wordAround(sf.text, offset + (/[\w$]/.test(sf.text[offset] ?? '') ? 1 : 0));
    const found = word ? sqlTableAt(sf.text, wordRange, sqlTablesIn(value, project)) : undefined;
    if (found) return { contents: columnsMarkdown(found.table), range: found.range };
  }
  const extra = value ? valueDetails(field, value, step, project, options) : undefined;
  return { contents: [header, extra, field.description].filter(Boolean).join('\n\n'), range };
}

/** The token under the character at `offset` (or just before it, at the end of a word). */
function hoverNode(sf: TS.SourceFile, offset: number): TS.Node | undefined {
  for (const at of [offset + 1, offset]) {
    if (at > sf.text.length) continue;
    const node = nodeAt(sf, at);
    if (
      ts.isIdentifier(node) ||
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isNumericLiteral(node) ||
      node.kind === ts.SyntaxKind.TrueKeyword ||
      node.kind === ts.SyntaxKind.FalseKeyword
    ) {
      if (node.getStart(sf) <= offset && offset < node.end) return node;
    }
  }
  return undefined;
}

function fieldHeader(path: readonly Segment[], field: FieldInfo): string {
  const name = path.filter((s) => typeof s === 'string').join('.');
  const type = typeLabel(field.schema);
  return `**${name || String(field.key)}**${type ? ` — \`${type}\`` : ''}`;
}

function valueDetails(field: FieldInfo, value: string, step: StepData | undefined, project: ProjectContext, options: HoverOptions): string | undefined {
  switch (field.role) {
    case 'cron': {
      const words = cronInWords(value);
      if (!words) return cronProblem(value)?.message ?? `\`${value}\` is not a valid 5-field cron expression.`;
      const tz = typeof step?.trigger?.timezone === 'string' ? step.trigger.timezone : 'UTC';
      const next = nextOccurrences(value, tz, options.now ?? new Date());
      return [`\`${value}\`: ${words} (${tz})`, next.length ? `Next: ${next.join(', ')}` : undefined].filter(Boolean).join('\n\n');
    }
    case 'timeout': {
      const words = durationInWords(value);
      return words ? `\`${value}\` = ${words}` : `\`${value}\` is not a duration: write a whole number and a unit, e.g. \`30s\`, \`5m\`, \`7d\`.`;
    }
    case 'template': {
      const t = project.templates?.get(value);
      if (!t) return project.templates ? `No template \`${value}\` in emails/.` : undefined;
      return `Template \`${value}\`: ${t.file}${t.props.length ? `\n\nProps: ${t.props.map((p) => `\`${p}\``).join(', ')}` : ''}`;
    }
    case 'table': {
      const t = configTable(value, project);
      if (!t) return project.schema ? `No schema file creates \`${value}\`.` : undefined;
      return columnsMarkdown(t);
    }
    default:
      return undefined;
  }
}

/** A personalization key: the template prop it fills. */
function propDetails(key: string, step: StepData | undefined, project: ProjectContext): string | undefined {
  const name = step?.action?.template;
  const template = typeof name === 'string' ? project.templates?.get(name) : undefined;
  if (!template) return undefined;
  return template.props.includes(key)
    ? `Prop \`${key}\` of template \`${template.name}\` (${template.file}).`
    : `Template \`${template.name}\` (${template.file}) does not read \`${key}\`${template.props.length ? `; its props: ${template.props.map((p) => `\`${p}\``).join(', ')}` : ''}.`;
}

function placeholderHover(
  node: TS.StringLiteral,
  offset: number,
  doc: ConfigDocument,
  step: StepData | undefined,
  project: ProjectContext,
): HoverResult | undefined {
  const sf = doc.sourceFile;
  const contentStart = node.getStart(sf) + 1;
  const raw = sf.text.slice(contentStart, node.end - 1);
  const at = offset - contentStart;
  // Placeholders are word characters and dots: raw offsets equal value offsets inside them.
  const p = scanPlaceholders(raw).placeholders.find((ph) => ph.start <= at && at < ph.end);
  if (!p) return undefined;
  const range = { start: contentStart + p.start, end: contentStart + p.end };
  const [root, column] = p.path;
  const table =
    root === 'user' ? userTableFor(step, project, doc) : root === 'row' ? rowTable(step, project) : root === 'match' ? matchTable(step, project) : undefined;
  const lines = [`**{{${p.expression}}}**`, ROOT_DOCS[root] ?? `Unknown root \`${root}\`.`];
  if (root === 'loop' && column) lines.push(loopPlaceholderFields().find((f) => f.name === column)?.detail ?? '');
  if (table && column) {
    const c = table.columns.find((col) => col.name === column);
    lines.push(
      c
        ? `Column \`${tableKey(table)}.${c.name}\`${c.type ? `: ${c.type}` : ''} (${table.file}:${table.line + 1})`
        : `Table \`${tableKey(table)}\` has no column \`${column}\`.`,
    );
  } else if (table) lines.push(columnsMarkdown(table));
  return { contents: lines.filter(Boolean).join('\n\n'), range };
}
