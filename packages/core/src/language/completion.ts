/**
 * Completion in `skene.config.ts`, for half-typed documents too: keys valid at the cursor (from the
 * schema, discriminated on `type`, without keys already present), enum values, tables and columns
 * from the schema files, templates from `emails/`, `{{…}}` paths, cron presets and durations.
 */
import { TEMPLATE_ROOTS } from '@skene/sdk';
import type { z } from 'zod';
import type { ConfigDocument } from '../analysis/document.js';
import { documentPeople } from '../analysis/person-table.js';
import type { ProjectContext, TableInfo } from '../analysis/project.js';
import { literalValues, shapeOf, unwrapSchema } from '../analysis/schema-walk.js';
import { stringAt, valueOf, type Range } from '../analysis/values.js';
import type { Anchor, Segment } from './anchor.js';
import { cursorContext, type CursorContext, type StringAtCursor } from './cursor.js';
import { fieldAt, keysFor, typeLabel, type FieldInfo } from './fields.js';
import { findTable, normalizeRef, parseTableName, sqlTableName, tableKey } from '../analysis/table-names.js';
import { DEFAULT_PEOPLE_TABLE } from '../analysis/people.js';
import { loopPlaceholderFields, matchTable, ROOT_DOCS, rowTable, sqlIdentifier, sqlTablesIn, stepOf, userTableFor } from './project-lookup.js';
import type { CompletionItem, CompletionResult } from './types.js';
import { skeleton } from './skeleton.js';
import { timeZones } from '../analysis/rules/unknown-timezone.js';
import { CRON_PRESETS, cronInWords, DURATION_PRESETS, durationInWords } from './words.js';

type Schema = z.ZodType;

const EMPTY: CompletionResult = { items: [] };

export function complete(doc: ConfigDocument, offset: number, project: ProjectContext = {}): CompletionResult {
  const ctx = cursorContext(doc, offset);
  if (!ctx) return EMPTY;
  const items = ctx.kind === 'key' ? keyItems(doc.text, ctx, project) : valueItems(doc, ctx, project);
  return { items: items.map((item, i) => ({ sortText: String(i).padStart(4, '0'), ...item })) };
}

function keyItems(text: string, ctx: Extract<CursorContext, { kind: 'key' }>, project: ProjectContext): CompletionItem[] {
  const field = fieldAt(ctx.anchor, ctx.path);
  // `personalization: { | }`: the template's props.
  if (field?.role === 'personalization') {
    const template = templateNameAt(ctx.anchor, ctx.path);
    const props = (template ? project.templates?.get(template)?.props : undefined) ?? [];
    return props
      .filter((p) => !ctx.present.includes(p))
      .map((prop) => ({
        label: prop,
        kind: 'property',
        detail: `prop of ${template}`,
        insertText: `${prop}: `,
        range: ctx.wordRange,
        documentation: `A prop the \`${template}\` template reads.`,
      }));
  }
  const keys = keysFor(ctx.anchor, ctx.path).filter((k) => !ctx.present.includes(k.key));
  keys.sort((a, b) => Number(b.required) - Number(a.required));
  const quoted = ctx.wordRange.start > 0 && /['"`]/.test(text[ctx.wordRange.start - 1] ?? '');
  return keys.map(({ key, schema }) => ({
    label: key,
    kind: 'property',
    detail: typeLabel(schema),
    documentation: unwrapSchema(schema).description,
    insertText: quoted ? key : `${key}: `,
    range: ctx.wordRange,
  }));
}

function templateNameAt(anchor: Anchor, personalizationPath: readonly Segment[]): string | undefined {
  let value: unknown = anchor.plain;
  for (const s of personalizationPath.slice(0, -1)) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[s as never] : undefined;
  const template = value && typeof value === 'object' ? (value as Record<string, unknown>).template : undefined;
  return typeof template === 'string' ? template : undefined;
}

function valueItems(doc: ConfigDocument, ctx: Extract<CursorContext, { kind: 'value' }>, project: ProjectContext): CompletionItem[] {
  const field = fieldAt(ctx.anchor, ctx.path);
  if (!field) return [];
  const str = ctx.string;
  // Strings with their own language first: SQL, `{{…}}` templates.
  if (str && field.role === 'query') return sqlItems(str, project);
  if (str && field.role === 'template-string') return placeholderItems(doc, { ctx, str }, project);

  const values = valueCandidates(field, project, doc);
  if (values.length) {
    return values.map((v) =>
      str
        ? { ...v, range: { start: str.contentStart, end: str.contentEnd }, insertText: escapeFor(doc.text[str.contentStart - 1], v.insertText ?? v.label) }
        : { ...v, insertText: `'${escapeFor("'", v.insertText ?? v.label)}'`, filterText: v.label, range: ctx.wordRange },
    );
  }
  // No literal values: an object or array of the schema's shape, as a skeleton (bare positions only).
  if (!str && !ctx.word) return skeletonItems(field, ctx.wordRange);
  return [];
}

function escapeFor(quote: string, text: string): string {
  return quote === '`' ? text.replace(/[`\\]|\$\{/g, (m) => '\\' + m) : text.replace(new RegExp(`[${quote}\\\\]`, 'g'), (m) => '\\' + m);
}

type Candidate = Omit<CompletionItem, 'range'>;

function valueCandidates(field: FieldInfo, project: ProjectContext, doc: ConfigDocument): Candidate[] {
  const description = field.description;
  if (field.discriminator) {
    return field.discriminator.values.map((v) => {
      const option = (field.discriminator!.union as unknown as { def: { options: Schema[] } }).def.options.find((o) =>
        literalValues(shapeOf(o)?.[String(field.key)]).includes(v),
      );
      const doc = option ? unwrapSchema(shapeOf(option)![String(field.key)]).description : undefined;
      return { label: String(v), kind: 'enum', detail: option ? unwrapSchema(option).description : undefined, documentation: doc };
    });
  }
  switch (field.role) {
    case 'table':
      // The name the config uses: schema-qualified outside `public` (`crm.users`).
      return [...(project.schema?.tables.values() ?? [])].map((t) => ({
        label: tableKey(t),
        kind: 'table',
        detail: `${t.file}:${t.line + 1}`,
        documentation: columnsMarkdown(t),
      }));
    case 'people-column': {
      // `users: { table: 'members', email: '|' }`: the people table's columns (the half-typed field itself aside).
      const users = doc.shape === 'config' ? valueOf(doc.root, 'users') : undefined;
      const name = stringAt(users, 'table')?.value || DEFAULT_PEOPLE_TABLE;
      const table = project.schema ? findTable(project.schema, parseTableName(name)) : undefined;
      return (table?.columns ?? []).map((c) => ({
        label: c.name,
        kind: 'column',
        detail: `${tableKey(table!)}.${c.name}${c.type ? `: ${c.type}` : ''}`,
        documentation: description,
      }));
    }
    case 'template':
      return [...(project.templates?.values() ?? [])].map((t) => ({
        label: t.name,
        kind: 'template',
        detail: t.file,
        documentation: t.props.length ? `Props: ${t.props.map((p) => `\`${p}\``).join(', ')}` : undefined,
      }));
    case 'cron':
      return CRON_PRESETS.map((c) => ({ label: c, kind: 'cron', detail: cronInWords(c), documentation: description }));
    case 'timeout':
      return DURATION_PRESETS.map((d) => ({ label: d, kind: 'duration', detail: durationInWords(d), documentation: description }));
    case 'timezone':
      return timeZones().map((z) => ({ label: z, kind: 'timezone' }));
    default: {
      const literals = literalValues(field.schema);
      return literals.map((v) => ({ label: String(v), kind: 'enum', detail: typeLabel(field.schema), documentation: description }));
    }
  }
}

export function columnsMarkdown(table: TableInfo): string {
  return [`**${tableKey(table)}** (${table.file}:${table.line + 1})`, '', ...table.columns.map((c) => `- \`${c.name}\`${c.type ? ` ${c.type}` : ''}`)].join(
    '\n',
  );
}

/** `{{user.|` → the users table's columns; `{{|` → the roots. */
function placeholderItems(
  doc: ConfigDocument,
  { ctx, str }: { ctx: Extract<CursorContext, { kind: 'value' }>; str: StringAtCursor },
  project: ProjectContext,
): CompletionItem[] {
  const before = str.content.slice(0, str.at);
  const open = /\{\{\s*([\w$]+(?:\.[\w$]*)*|)$/.exec(before);
  if (!open) return [];
  const typed = open[1];
  const segments = typed.split('.');
  const partial = segments[segments.length - 1];
  const range: Range = {
    start: str.contentStart + str.at - partial.length,
    end: str.contentStart + str.at + (/^[\w$]*/.exec(str.content.slice(str.at))?.[0].length ?? 0),
  };
  const closes = /^[\w$]*\s*\}\}/.test(str.content.slice(str.at));
  const close = closes ? '' : '}}';
  if (segments.length === 1) {
    return TEMPLATE_ROOTS.map((root) => ({
      label: root,
      kind: 'placeholder',
      detail: ROOT_DOCS[root],
      range,
      insertText: root === 'now' ? `now${close}` : root,
    }));
  }
  if (segments.length !== 2) return [];
  const step = stepOf(ctx.anchor, ctx.path);
  const root = segments[0];
  let columns: { name: string; type?: string }[] = [];
  let from = '';
  if (root === 'user') {
    const t = userTableFor(step, project, doc);
    // The person's name and address first when `users` names them, then the rest in table order.
    const people = documentPeople(doc);
    const rank = (name: string) => (!people?.configured ? 2 : name === people.name ? 0 : name === people.email ? 1 : 2);
    columns = [...(t?.columns ?? [])].sort((a, b) => rank(a.name) - rank(b.name));
    from = t ? tableKey(t) : '';
  } else if (root === 'row') {
    const t = rowTable(step, project);
    columns = t?.columns ?? [];
    from = t ? tableKey(t) : '';
  } else if (root === 'match') {
    const t = matchTable(step, project);
    columns = t?.columns ?? [];
    from = t ? tableKey(t) : '';
  } else if (root === 'loop') {
    return loopPlaceholderFields().map((f) => ({ label: f.name, kind: 'placeholder', detail: f.detail, range, insertText: f.name + close }));
  }
  return columns.map((c) => ({ label: c.name, kind: 'column', detail: `${from}.${c.name}${c.type ? `: ${c.type}` : ''}`, range, insertText: c.name + close }));
}

/** SQL in a `query`: tables after FROM/JOIN, columns after `alias.` or in the clauses of tables the query reads. */
function sqlItems(str: StringAtCursor, project: ProjectContext): CompletionItem[] {
  const tables = project.schema?.tables;
  if (!tables) return [];
  const before = str.content.slice(0, str.at);
  const after = /^[\w$]*/.exec(str.content.slice(str.at))?.[0] ?? '';
  const word = /[\w$]*$/.exec(before)![0];
  const range: Range = { start: str.contentStart + str.at - word.length, end: str.contentStart + str.at + after.length };
  // Tables as SQL names them: `crm.users` outside `public`, quoted where folding would change them.
  const tableItem = (t: TableInfo, label: string, insertText: string): CompletionItem => ({
    label,
    kind: 'table',
    detail: `${t.file}:${t.line + 1}`,
    documentation: columnsMarkdown(t),
    range,
    ...(insertText !== label ? { insertText } : {}),
  });
  const tableItems = () => [...tables.values()].map((t) => tableItem(t, tableKey(t), sqlTableName(t, t.dialect)));
  const columnItems = (list: TableInfo[]) =>
    list.flatMap((t) =>
      t.columns.map((c): CompletionItem => ({ label: c.name, kind: 'column', detail: `${tableKey(t)}.${c.name}${c.type ? `: ${c.type}` : ''}`, range })),
    );
  if (/\b(from|join|into|update)\s+[\w$]*$/i.test(before)) return tableItems();
  // `FROM crm.|`: the tables of that schema.
  const inSchema = /\b(?:from|join|into|update)\s+([\w$]+|"(?:[^"]|"")+")\s*\.\s*[\w$]*$/i.exec(before);
  if (inSchema) {
    const schema = normalizeRef({ schema: sqlIdentifier(inSchema[1]!), name: '' }).schema;
    return [...tables.values()].filter((t) => normalizeRef(t).schema === schema).map((t) => tableItem(t, t.name, sqlTableName({ name: t.name }, t.dialect)));
  }
  const qualified = /([\w$]+)\.[\w$]*$/.exec(before);
  const refs = sqlTablesIn(str.content, project);
  if (qualified) {
    const t = refs.get(qualified[1].toLowerCase()) ?? tables.get(qualified[1]);
    return t ? columnItems([t]) : [];
  }
  const used = [...new Set(refs.values())];
  return [...columnItems(used.length ? used : []), ...(used.length ? [] : tableItems())];
}

/** `trigger: |` → one skeleton per union option; `steps: [|]` → a step. */
function skeletonItems(field: FieldInfo, range: Range): CompletionItem[] {
  const schema = field.schema;
  if (!schema) return [];
  const inner = unwrapSchema(schema).schema as unknown as { def: { type: string; options?: Schema[]; discriminator?: string; element?: Schema } };
  const one = (s: Schema, label: string): CompletionItem => ({
    label,
    kind: 'snippet',
    detail: unwrapSchema(s).description,
    insertText: skeleton(s, true),
    snippet: true,
    range,
  });
  if (inner.def.type === 'union' && inner.def.discriminator) {
    return (inner.def.options ?? []).map((o) =>
      one(o, `{ ${inner.def.discriminator}: '${String(literalValues(shapeOf(o)?.[inner.def.discriminator!])[0])}' … }`),
    );
  }
  if (inner.def.type === 'object') return [one(schema, '{ … }')];
  if (inner.def.type === 'array' && inner.def.element) return [{ ...one(inner.def.element, '[{ … }]'), insertText: `[${skeleton(inner.def.element, true)}]` }];
  return [];
}
