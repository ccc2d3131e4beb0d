/**
 * Reads `skene.config.ts` with the TypeScript parser — parse only: no type check, no emit, and
 * never execution (opening a repository must not run its code). TypeScript 5.9 is pinned on
 * purpose: its `createSourceFile` API is stable, while typescript@7 (the native compiler) marks
 * its JS API unstable.
 */
import type TS from 'typescript';
import { LineMap } from './positions.js';
import { readDefaultExport } from './read-values.js';
import { loadTypeScript, ts } from './syntax.js';
import { readDefaultExportAsJavaScript } from './read-estree.js';
import type { Range, ValueNode } from './values.js';
import { property } from './values.js';

export { expressionValue } from './read-values.js';

export type ConfigShape = 'loop' | 'loops' | 'config';

export interface LoopEntry {
  /** 0-based position among the config's loops. */
  index: number;
  node: ValueNode;
}

export interface ConfigDocument {
  fileName: string;
  text: string;
  lines: LineMap;
  sourceFile: TS.SourceFile;
  /**
   * TypeScript's own syntax errors (unterminated strings, missing braces, …); `skeneOnly` marks one
   * that TypeScript beside the config would not show (a file too deeply nested for Skene to parse).
   */
  syntaxErrors: { range: Range; message: string; skeneOnly?: boolean }[];
  /** What the default export is; undefined when none was recognised. */
  shape: ConfigShape | undefined;
  /** The default export as data (a loop, an array of loops or a config object). */
  root: ValueNode | undefined;
  /** Where the default export is, for diagnostics about the file as a whole. */
  exportRange: Range | undefined;
  loops: LoopEntry[];
}

export function parseConfigDocument(text: string, fileName = 'skene.config.ts'): ConfigDocument {
  // Plain JavaScript (most configs) reads without TypeScript; its tree is parsed when first asked for.
  const read = readDefaultExportAsJavaScript(text);
  if (read) return documentOf({ fileName, text, syntaxErrors: [], ...read });
  // No parent pointers (setParentNodes false): analysis reads the tree top-down, and setting them
  // doubles the parse time of a large config. The language services track the parents they need.
  let sourceFile: TS.SourceFile;
  try {
    sourceFile = parseTypeScript(text, fileName);
  } catch (error) {
    // TypeScript's recursive-descent parser overflows the stack on ~1,000 nested brackets.
    if (!(error instanceof RangeError)) throw error;
    const message = 'the file nests brackets too deeply to parse; a Skene config needs fewer than 100 levels';
    return documentOf({
      fileName,
      text,
      sourceFile: parseTypeScript('', fileName),
      syntaxErrors: [{ range: { start: 0, end: Math.min(1, text.length) }, message, skeneOnly: true }],
      root: undefined,
      exportRange: undefined,
    });
  }
  const { root, exportRange } = readDefaultExport(sourceFile);
  return documentOf({ fileName, text, sourceFile, syntaxErrors: parseDiagnostics(sourceFile), root, exportRange });
}

export function parseTypeScript(text: string, fileName: string): TS.SourceFile {
  const ts = loadTypeScript();
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
}

/** The parts a document is made of; without `sourceFile`, the text is parsed when the tree is first read. */
type DocumentFields = Omit<ConfigDocument, 'lines' | 'sourceFile' | 'shape' | 'loops'> & { sourceFile?: TS.SourceFile };

/**
 * A document from its parts. The line map and, for a document updated without a whole parse, the
 * TypeScript tree are made when first read: diagnostics after an edit need neither.
 */
export function documentOf(fields: DocumentFields): ConfigDocument {
  return new Document(fields);
}

/**
 * The lazy parts are the prototype's getters over private fields, not closures made per document:
 * a closure's context, once in the old generation, kept each discarded document's young tree alive
 * through scavenges until a full collection (14 mark-compacts in 400 parses instead of 1, twice
 * the p95 parse time).
 */
class Document implements ConfigDocument {
  readonly fileName: string;
  readonly text: string;
  readonly syntaxErrors: ConfigDocument['syntaxErrors'];
  readonly shape: ConfigShape | undefined;
  readonly root: ValueNode | undefined;
  readonly exportRange: Range | undefined;
  readonly loops: LoopEntry[];
  #tree: TS.SourceFile | undefined;
  #lines: LineMap | undefined;

  constructor(fields: DocumentFields) {
    this.fileName = fields.fileName;
    this.text = fields.text;
    this.syntaxErrors = fields.syntaxErrors;
    this.root = fields.root;
    this.exportRange = fields.exportRange;
    this.shape = fields.root ? shapeOf(fields.root) : undefined;
    this.loops = loopsOf(fields.root, this.shape);
    this.#tree = fields.sourceFile;
    if (this.#tree) documentsByTree.set(this.#tree, this);
  }

  get sourceFile(): TS.SourceFile {
    if (!this.#tree) {
      this.#tree = parseTreeOrEmpty(this.text, this.fileName);
      documentsByTree.set(this.#tree, this);
    }
    return this.#tree;
  }

  get lines(): LineMap {
    return (this.#lines ??= new LineMap(this.text));
  }
}

const documentsByTree = new WeakMap<TS.SourceFile, ConfigDocument>();

/** The document a TypeScript tree is the parse of (the language services, which hold the tree). */
export function documentOfTree(tree: TS.SourceFile): ConfigDocument | undefined {
  return documentsByTree.get(tree);
}

/** The tree of a document read without TypeScript; an empty one if the parser overflows its stack (the readers decline far sooner). */
function parseTreeOrEmpty(text: string, fileName: string): TS.SourceFile {
  try {
    return parseTypeScript(text, fileName);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return parseTypeScript('', fileName);
  }
}

function shapeOf(root: ValueNode): ConfigShape | undefined {
  if (root.kind === 'array') return 'loops';
  if (root.kind === 'object') return property(root, 'loops') ? 'config' : 'loop';
  return undefined;
}

function loopsOf(root: ValueNode | undefined, shape: ConfigShape | undefined): LoopEntry[] {
  if (!root || !shape) return [];
  if (shape === 'loop') return [{ index: 0, node: root }];
  const list = shape === 'loops' ? root : property(root, 'loops')?.value;
  return list?.kind === 'array' ? list.items.map((node, index) => ({ index, node })) : [];
}

function parseDiagnostics(sourceFile: TS.SourceFile): { range: Range; message: string }[] {
  // `parseDiagnostics` is how the compiler itself reads syntax errors of a parsed file.
  const diagnostics = (sourceFile as unknown as { parseDiagnostics?: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return diagnostics.map((d) => ({
    range: { start: d.start, end: d.start + Math.max(d.length, 1) },
    message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
  }));
}
