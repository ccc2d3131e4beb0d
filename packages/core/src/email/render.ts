/**
 * Renders an email action's template: `emails/<template>.tsx` / `.jsx` (a React Email
 * component: default export, props = personalization values, optional `export const subject`)
 * or `emails/<template>.html` (`{{key}}` placeholders are personalization keys, values
 * HTML-escaped; its `<title>` is the default subject).
 */
import './react-production.js'; // before React loads
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, resolve, sep } from 'node:path';
import { createElement, type ComponentType, type ReactElement } from 'react';
import { htmlToPlainText, loadPlainText } from './plain-text.js';
import { distance } from 'fastest-levenshtein';
import { compileTemplate, loadBundle, loadTemplate, messageOf, originalPosition, type CompiledTemplate, type TemplateBundle } from './compile.js';
import { EmailTemplateError } from './errors.js';
import { formatValue, lookupPath, replacePlaceholders } from './interpolate.js';
import { compileHtmlTemplate, type HtmlTemplate } from './html-template.js';
import { renderReactEmail } from './react-render.js';
import { fillFrom, proveReactTemplate, type ReactProof } from './react-fill.js';
import { SKELETON_EXPORT, SLOTS_EXPORT } from './react-compile.js';
import { TEMPLATE_EXTENSIONS } from '../template/files.js';

export interface RenderEmailOptions {
  /** The folder holding the templates (`emails/` beside the config). */
  emailsDir: string;
  /** The action's `template`: a name (`activation_welcome`), optionally in a subfolder or with its extension. */
  template: string;
  /** The personalization values (already interpolated): the component's props / the HTML file's `{{key}}`s. */
  props: Record<string, unknown>;
  /** The action's subject (already interpolated). Wins over the template's own subject. */
  subject?: string;
  /**
   * Shared by a batch of renders whose templates do not change meanwhile (one plan, all its steps):
   * each template is then found, checked and compiled once, not once per email.
   */
  session?: RenderSession;
}

export type RenderSession = Map<string, Promise<unknown>>;

export function createRenderSession(): RenderSession {
  return new Map();
}

function once<T>(session: RenderSession | undefined, key: string, make: () => Promise<T>): Promise<T> {
  if (!session) return make();
  let pending = session.get(key) as Promise<T> | undefined;
  if (!pending) {
    pending = make();
    session.set(key, pending);
  }
  return pending;
}

export interface RenderedEmail {
  html: string;
  text: string;
  /** The action's subject, else the template's (`export const subject`, or an HTML file's `<title>`); absent when neither gives one. */
  subject?: string;
  /** The template file that was rendered (absolute). */
  file: string;
  kind: 'react' | 'html';
  /** `{{key}}`s of an HTML template (or of a string `subject` export) that the props do not provide; rendered empty. */
  missing: string[];
}

export interface TemplateFile {
  file: string;
  kind: 'react' | 'html';
}

/** Finds `emails/<template>.tsx`, `.jsx` or `.html` (in that order). Throws an `EmailTemplateError` listing what exists. */
export async function findTemplate(emailsDir: string, template: string): Promise<TemplateFile> {
  const dir = resolve(emailsDir);
  const name = template.trim();
  if (!name || isAbsolute(name) || name.split(/[\\/]/).includes('..')) {
    throw new EmailTemplateError(
      `email template "${template}" is not a template name: write the file name in ${dir} without its extension, for example "activation_welcome"`,
      { code: 'invalid-template-name', template, file: dir },
    );
  }
  const ext = extname(name);
  const candidates = (TEMPLATE_EXTENSIONS as readonly string[]).includes(ext) ? [name] : TEMPLATE_EXTENSIONS.map((e) => name + e);
  for (const candidate of candidates) {
    const file = join(dir, candidate);
    try {
      if ((await stat(file)).isFile()) return { file, kind: file.endsWith('.html') ? 'html' : 'react' };
    } catch {
      // try the next extension
    }
  }
  const available = await listTemplates(dir);
  const base = (TEMPLATE_EXTENSIONS as readonly string[]).includes(ext) ? name.slice(0, -ext.length) : name;
  const close = (available ?? [])
    .map((t) => ({ t, d: distance(t.toLowerCase(), base.toLowerCase()) }))
    .filter(({ d }) => d <= Math.max(2, Math.floor(base.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  let message = `email template "${template}" not found: looked for ${candidates.map((c) => join(dir, c)).join(', ')}.`;
  if (available === null) message += ` There is no folder ${dir}: create it and add ${name}${ext ? '' : '.tsx'}.`;
  else if (available.length === 0) message += ` ${dir} has no templates (.tsx, .jsx or .html).`;
  else message += ` Templates in ${dir}: ${available.slice(0, 20).join(', ')}${available.length > 20 ? `, … (${available.length} in all)` : ''}.`;
  if (close) message += ` Did you mean "${close.t}"?`;
  throw new EmailTemplateError(message, { code: 'template-not-found', template, file: dir, available: available ?? [] });
}

/** Template names (relative, without extension, `/`-separated) under `dir`; null when `dir` does not exist. */
export async function listTemplates(dir: string): Promise<string[] | null> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })) as string[];
  } catch {
    return null;
  }
  const names = new Set<string>();
  for (const entry of entries) {
    const parts = entry.split(sep);
    if (parts.some((p) => p === 'node_modules' || p.startsWith('.'))) continue;
    const ext = extname(entry);
    if (!(TEMPLATE_EXTENSIONS as readonly string[]).includes(ext)) continue;
    names.add(parts.join('/').slice(0, -ext.length));
  }
  return [...names].sort();
}

/** A template found and compiled once, ready to render many emails. */
export interface EmailRenderer {
  file: string;
  kind: 'react' | 'html';
  /** Synchronous for HTML templates (filled from the compiled file); a promise for React components. */
  render(props: Record<string, unknown>, subject?: string): RenderedEmail | Promise<RenderedEmail>;
  /** A React template's compiled bundle (render threads load it instead of compiling again). */
  bundle?: TemplateBundle;
  /** A compilable React template's fill parts (render-worker.ts hands them to the plan). */
  fill?: ReactFillParts;
}

/** Finds and compiles the template (once per session). Template problems throw an `EmailTemplateError`. */
export function prepareRenderer(options: Pick<RenderEmailOptions, 'emailsDir' | 'template' | 'session'>): Promise<EmailRenderer> {
  return once(options.session, `renderer\0${options.emailsDir}\0${options.template}`, async () => {
    const { file, kind } = await findTemplate(options.emailsDir, options.template);
    return kind === 'html' ? htmlRenderer(file) : reactRenderer(file, options.template);
  });
}

/**
 * A template found and compiled, but none of its code run: an HTML template's renderer, or a
 * React template's bundle for a render thread to load (see render-pool.ts), so that a component
 * that loops or never settles can be stopped.
 */
export type PreparedTemplate = (EmailRenderer & { kind: 'html' }) | { kind: 'react'; file: string; bundle: TemplateBundle };

/** Finds and compiles the template (once per session) without running it. Template problems throw an `EmailTemplateError`. */
export function prepareTemplate(options: Pick<RenderEmailOptions, 'emailsDir' | 'template' | 'session'>): Promise<PreparedTemplate> {
  return once(options.session, `template\0${options.emailsDir}\0${options.template}`, async (): Promise<PreparedTemplate> => {
    const { file, kind } = await findTemplate(options.emailsDir, options.template);
    if (kind === 'html') return (await htmlRenderer(file)) as EmailRenderer & { kind: 'html' };
    return { kind: 'react', file, bundle: (await compileTemplate(file, options.template)).bundle };
  });
}

/** Renders one email. Template problems throw an `EmailTemplateError` (template name, file, and position when known). */
export async function renderEmail(options: RenderEmailOptions): Promise<RenderedEmail> {
  return (await prepareRenderer(options)).render(options.props, options.subject);
}

async function reactRenderer(file: string, template: string): Promise<EmailRenderer> {
  return rendererOf(await loadTemplate(file, template), template);
}

/** A React Email renderer from a bundle another thread compiled (see render-worker.ts). */
export function renderBundle(file: string, template: string, bundle: TemplateBundle): EmailRenderer {
  return rendererOf(loadBundle(file, template, bundle), template);
}

function rendererOf(compiled: CompiledTemplate, template: string): EmailRenderer {
  const file = compiled.file;
  const component = compiled.exports.default;
  if (!isComponent(component)) {
    const names = Object.keys(compiled.exports).filter((k) => k !== '__esModule');
    throw new EmailTemplateError(
      `email template "${template}": ${file} has no default export${component === undefined ? '' : ' that is a React component'}. ` +
        `Export the email component as the default: \`export default function ${pascal(template)}(props) { … }\`` +
        (names.length ? ` (it exports ${names.join(', ')})` : ''),
      { code: 'no-default-export', template, file },
    );
  }
  const render = async (props: Record<string, unknown>, actionSubject?: string): Promise<RenderedEmail> => {
    const missing: string[] = [];
    let html: string;
    try {
      html = await renderReactEmail(createElement(component as ComponentType<Record<string, unknown>>, { ...props }));
    } catch (error) {
      throw thrown({ code: 'component-threw', what: 'the component threw', error, template, compiled });
    }
    let subject: string | undefined;
    try {
      subject = await subjectOf({ compiled, props, actionSubject, missing });
    } catch (error) {
      throw thrown({ code: 'subject-threw', what: '`subject` threw', error, template, compiled });
    }
    await loadPlainText();
    return withSubject({ html, text: htmlToPlainText(html), file, kind: 'react', missing }, subject);
  };
  return { file, kind: 'react', render, bundle: compiled.bundle, fill: fillParts(compiled) };
}

/**
 * The email's subject: the action's, else the template's (`export const subject`, a function of
 * the props or a string with `{{key}}`s). A promise only when a subject function returns one.
 */
function subjectOf({
  compiled,
  props,
  actionSubject,
  missing,
}: {
  compiled: CompiledTemplate;
  props: Record<string, unknown>;
  actionSubject: string | undefined;
  missing: string[];
}): string | undefined | Promise<string | undefined> {
  if (actionSubject !== undefined) return actionSubject;
  const exported = compiled.exports.subject;
  if (typeof exported === 'function') {
    const value: unknown = (exported as (p: Record<string, unknown>) => unknown)({ ...props });
    const thenable = typeof (value as { then?: unknown } | null)?.then === 'function';
    return thenable ? Promise.resolve(value).then(formatValue) : formatValue(value);
  }
  if (exported === undefined || exported === null) return undefined;
  const r = replacePlaceholders(String(exported), (path) => lookupPath(props, path));
  missing.push(...r.missing);
  return r.value;
}

/** One email's slot values (strings and numbers only: what a fill takes) and subject, computed by the template's code. */
export interface ReactValues {
  values: (string | number)[];
  subject?: string;
  missing: string[];
}

/** What a thread that runs a compilable template offers its fill (react-compile.ts, react-fill.ts). */
export interface ReactFillParts {
  /** The sentinel renders of the skeleton: its shape, or why it is not filled. */
  prove(): Promise<ReactProof>;
  /** The email's values, or undefined when it must render with React (a value of another kind, or anything that threw). */
  values(props: Record<string, unknown>, subject?: string): ReactValues | undefined;
}

function fillParts(compiled: CompiledTemplate): ReactFillParts | undefined {
  const slots = compiled.bundle.slots;
  const valuesOf = compiled.exports[SLOTS_EXPORT];
  const skeleton = compiled.exports[SKELETON_EXPORT];
  if (!slots || typeof valuesOf !== 'function' || typeof skeleton !== 'function') return undefined;
  return {
    prove: () => proveReactTemplate({ skeleton: skeleton as (v: unknown[]) => ReactElement, slots, render: renderReactEmail }),
    values(props, actionSubject) {
      // Whatever throws here (the component, `subject`) renders with React, which reports it as it always has.
      try {
        const values: unknown = (valuesOf as (p: Record<string, unknown>) => unknown)({ ...props });
        if (!Array.isArray(values) || values.some((v) => typeof v !== 'string' && typeof v !== 'number')) return undefined;
        const missing: string[] = [];
        const subject = subjectOf({ compiled, props, actionSubject, missing });
        if (subject instanceof Promise) {
          subject.catch(() => {}); // the React render calls it again and reports it
          return undefined;
        }
        return subject === undefined ? { values, missing } : { values, subject, missing };
      } catch {
        return undefined;
      }
    },
  };
}

/** A React template compiled to a fill, or why not. */
export type CompiledReactTemplate =
  | {
      ok: true;
      /** The email, or undefined when it must render with React. */
      fill(props: Record<string, unknown>, subject?: string): RenderedEmail | undefined;
    }
  | { ok: false; reason: string };

/**
 * Compiles a loaded React template to a fill, in this thread, when its analysis allows and the
 * sentinel renders prove it. (A plan does the same across threads: render-pools.ts.)
 */
export async function compileReactTemplate(compiled: CompiledTemplate): Promise<CompiledReactTemplate> {
  const parts = fillParts(compiled);
  if (!parts) return { ok: false, reason: compiled.analysis?.ok === false ? compiled.analysis.reason : 'the template is not compilable' };
  const proof = await parts.prove();
  if (!proof.ok) return proof;
  await loadPlainText();
  const fill = fillFrom({ ...proof, slots: compiled.bundle.slots! });
  const file = compiled.file;
  return {
    ok: true,
    fill(props, actionSubject) {
      const email = parts.values(props, actionSubject);
      const body = email && fill(email.values);
      if (!email || !body) return undefined;
      return withSubject({ html: body.html, text: body.text, file, kind: 'react', missing: email.missing }, email.subject);
    },
  };
}

async function htmlRenderer(file: string): Promise<EmailRenderer> {
  const fill = await compiledHtml(file);
  return {
    file,
    kind: 'html',
    render(props, actionSubject) {
      // The action's subject wins over the `<title>`, which is then not filled.
      const { html, text, subject, missing } = fill(props, actionSubject === undefined);
      return withSubject({ html, text, file, kind: 'html', missing }, actionSubject ?? subject);
    },
  };
}

function withSubject(email: RenderedEmail, subject: string | undefined): RenderedEmail {
  if (subject !== undefined) email.subject = subject;
  return email;
}

const htmlCache = new Map<string, { stamp: string; template: HtmlTemplate }>();
/** The compiled file, reused while its modification time and size stay the same. */
async function compiledHtml(file: string): Promise<HtmlTemplate> {
  const s = await stat(file);
  const stamp = `${s.mtimeMs}:${s.size}`;
  const hit = htmlCache.get(file);
  if (hit && hit.stamp === stamp) return hit.template;
  const [source] = await Promise.all([readFile(file, 'utf8'), loadPlainText()]);
  const template = compileHtmlTemplate(source);
  htmlCache.set(file, { stamp, template });
  return template;
}

function isComponent(value: unknown): boolean {
  return typeof value === 'function' || (typeof value === 'object' && value !== null && '$$typeof' in value);
}

function pascal(name: string): string {
  return (
    name
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((p) => p[0]!.toUpperCase() + p.slice(1))
      .join('') || 'Email'
  );
}

function thrown({
  code,
  what,
  error,
  template,
  compiled,
}: {
  code: 'component-threw' | 'subject-threw';
  what: string;
  error: unknown;
  template: string;
  compiled: { file: string; sourceMap?: import('node:module').SourceMap; bundleFilename: string };
}): EmailTemplateError {
  const file = compiled.file;
  const where = compiled.sourceMap ? originalPosition(error, compiled.bundleFilename, compiled.sourceMap) : undefined;
  const at = where ? `${where.file}:${where.line}:${where.column}` : file;
  return new EmailTemplateError(`email template "${template}": ${what} (${at}): ${messageOf(error)}`, {
    code,
    template,
    file: where?.file ?? file,
    line: where?.line,
    column: where?.column,
    cause: error,
  });
}
