/**
 * What every handler shares: the open documents and their parses, the projects around them, the
 * settings, what the client supports, and `guard` — the server never goes down: a handler's throw
 * is logged (connection.console.error) and the request answered with a fallback.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  dialectForUrl,
  loadProjectContext,
  parseConfigDocument,
  projectData,
  reparseConfigDocument,
  prepareAnalysis,
  stringAt,
  valueOf,
  type ConfigDocument,
  type Dialect,
  type ProjectContext,
} from '@skene/core/analysis';
import type { Connection } from 'vscode-languageserver/node';
import { TextDocuments } from './lsp.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { EditSupport } from './convert.js';
import { SERVICES, type Services } from './services.js';
import { DEFAULT_SETTINGS, isConfigFile, type Settings } from './settings.js';

export interface ServerHooks {
  /** Called once, after the first config has been analysed (bin.ts writes its code cache then). */
  afterFirstAnalysis?: () => void;
  /** Called on the shutdown request. */
  beforeShutdown?: () => void;
}

/** What the client said it supports, at initialize. */
export interface ClientSupport {
  snippets: boolean;
  edits: EditSupport;
  /** workspace/configuration */
  pullConfiguration: boolean;
  /** workspace/diagnostic/refresh */
  refreshPull: boolean;
  /** dynamic registration of workspace/didChangeWatchedFiles */
  dynamicWatchers: boolean;
}

export interface OpenConfig {
  text: TextDocument;
  doc: ConfigDocument;
}

interface Parsed {
  version: number;
  doc: ConfigDocument;
}

/** How long after a document's last version its TypeScript tree is parsed, if nothing asked sooner. */
const IDLE_PARSE_MS = 100;
/** An unsaved document's project: none, one object (core keeps each loop's diagnostics per project). */
const NO_PROJECT: ProjectContext = Object.freeze({});

export class Workspace {
  readonly documents = new TextDocuments(TextDocument);
  settings: Settings = DEFAULT_SETTINGS;
  /** The settings from initializationOptions, which the client's configuration section overrides. */
  initSettings: Settings = DEFAULT_SETTINGS;
  services: Services = SERVICES;
  client: ClientSupport = {
    snippets: false,
    edits: { documentChanges: false, createFiles: false },
    pullConfiguration: false,
    refreshPull: false,
    dynamicWatchers: false,
  };
  /** Bumped when settings or project files change: cached diagnostics of older generations are stale. */
  generation = 0;
  private readonly parsed = new Map<string, Parsed>();
  private readonly projects = new Map<string, ProjectContext>();
  private readonly prepared = new Set<Dialect>(['postgres', 'redis']);
  private readonly idleParses = new Map<string, NodeJS.Timeout>();
  /** When the last message's handler finished (performance.now()). */
  private lastHandled = 0;

  constructor(readonly connection: Connection) {}

  log(message: string): void {
    this.connection.console.error(message);
  }

  /** Wraps a handler: a throw (or rejection) is logged and answered with `fallback`. */
  guard<P, R>(name: string, fallback: () => R, handler: (params: P) => R | Promise<R>): (params: P) => Promise<R> {
    return async (params: P) => {
      try {
        return await handler(params);
      } catch (error) {
        this.log(`skene: ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return fallback();
      } finally {
        this.lastHandled = performance.now();
      }
    };
  }

  /**
   * The open document's parse, when it is a Skene config (cached per version). A new version is
   * read from the last one's parse: an edit inside one loop reparses only that loop.
   */
  configOf(uri: string): OpenConfig | undefined {
    const text = this.documents.get(uri);
    if (!text || !isConfigFile(pathOf(uri), this.settings)) return undefined;
    const cached = this.parsed.get(uri);
    if (cached?.version === text.version) return { text, doc: cached.doc };
    const doc = cached ? reparseConfigDocument(cached.doc, text.getText()) : parseConfigDocument(text.getText(), pathOf(uri));
    this.parsed.set(uri, { version: text.version, doc });
    this.parseTreeWhenIdle(uri, doc);
    return { text, doc };
  }

  /**
   * A document read incrementally has no TypeScript tree until a language service asks for one
   * (completion, hover, symbols, code actions), nor has a document read without TypeScript
   * (read-estree.ts): it is parsed once the user pauses, so a request then finds it ready, while a
   * run of keystrokes parses none.
   */
  private parseTreeWhenIdle(uri: string, doc: ConfigDocument): void {
    clearTimeout(this.idleParses.get(uri));
    // Idle since the last message was handled, not since this version arrived: a timer that expired
    // while a message was handled runs before the next message is read (Node runs timers first), and
    // the first parse loads TypeScript (~150 ms cold), which the first diagnostics never waited for.
    const parseWhenQuiet = () => {
      const quiet = performance.now() - this.lastHandled;
      if (quiet < IDLE_PARSE_MS) {
        this.idleParses.set(uri, setTimeout(parseWhenQuiet, IDLE_PARSE_MS - quiet).unref());
        return;
      }
      this.idleParses.delete(uri);
      if (this.parsed.get(uri)?.doc === doc) void doc.sourceFile;
    };
    this.idleParses.set(uri, setTimeout(parseWhenQuiet, IDLE_PARSE_MS).unref());
  }

  /** Drops a closed document's parse. */
  forget(uri: string): void {
    this.parsed.delete(uri);
    clearTimeout(this.idleParses.get(uri));
    this.idleParses.delete(uri);
  }

  /**
   * The templates beside a config and the tables of its project's seed and migrations, found as
   * the plan finds them (core's projectData: `skene.seed`, resolved against the config's folder,
   * else the seed beside the config), so completion and diagnostics offer only tables the plan has.
   * Read once per folder, dialect and seed setting, until project files or settings change.
   */
  projectOf(uri: string): ProjectContext {
    if (!uri.startsWith('file:')) return NO_PROJECT;
    const path = pathOf(uri);
    const doc = this.configOf(uri)?.doc;
    const dialect = doc ? this.dialectOf(doc) : 'postgres';
    const seeds = this.settings.seed;
    const key = JSON.stringify([dirname(path), dialect, seeds]);
    let project = this.projects.get(key);
    if (!project) {
      project = loadProjectContext(path, { schemaFiles: projectData({ configPath: path, seeds, dialect }).schemaFiles });
      this.projects.set(key, project);
    }
    return project;
  }

  /** Project files changed: every project is read again on next use. */
  forgetProjects(): void {
    this.projects.clear();
  }

  dialectOf(doc: ConfigDocument): Dialect {
    return this.settings.dialect ?? dialectForUrl(stringAt(valueOf(doc.root, 'database'), 'url')?.value) ?? 'postgres';
  }

  isPrepared(dialect: Dialect): boolean {
    return this.prepared.has(dialect);
  }

  /** Loads a dialect's SQL parser the first time a config needs it (MySQL's is loaded on demand). */
  async prepare(dialect: Dialect): Promise<void> {
    if (this.prepared.has(dialect)) return;
    await prepareAnalysis({ dialect });
    this.prepared.add(dialect);
    this.projects.clear(); // MySQL schema files are only read once the MySQL parser is there
  }
}

/** The last URI pathOf converted: a request converts the same one several times (~20 µs each, a URL object apiece). */
let lastPath = { uri: '', path: '' };

function pathOf(uri: string): string {
  if (lastPath.uri !== uri) lastPath = { uri, path: filePathOf(uri) };
  return lastPath.path;
}

function filePathOf(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return uri;
    }
  }
  return uri.replace(/^[a-z][\w+.-]*:/i, '');
}
