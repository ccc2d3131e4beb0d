/**
 * Reads `skene.config.ts` with the TypeScript parser — parse only: no type check, no emit, and
 * never execution (opening a repository must not run its code). TypeScript 5.9 is pinned on
 * purpose: its `createSourceFile` API is stable, while typescript@7 (the native compiler) marks
 * its JS API unstable.
 */
import type TS from 'typescript';
import { LineMap } from './positions.js';
import { readDefaultExport } from './read-values.js';
import { ts } from './syntax.js';
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
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
}

type DocumentFields = Omit<ConfigDocument, 'lines' | 'sourceFile' | 'shape' | 'loops'> & { sourceFile: TS.SourceFile | (() => TS.SourceFile) };

/**
 * A document from its parts. The line map and, for a document updated without a whole parse, the
 * TypeScript tree are made when first read: diagnostics after an edit need neither.
 */
export function documentOf(fields: DocumentFields): ConfigDocument {
  const { sourceFile, ...rest } = fields;
  let tree = typeof sourceFile === 'function' ? undefined : sourceFile;
  let lines: LineMap | undefined;
  const shape = fields.root ? shapeOf(fields.root) : undefined;
  return {
    ...rest,
    shape,
    loops: loopsOf(fields.root, shape),
    get sourceFile() {
      return (tree ??= (sourceFile as () => TS.SourceFile)());
    },
    get lines() {
      return (lines ??= new LineMap(fields.text));
    },
  };
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
