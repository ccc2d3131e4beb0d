/** Server settings: from initializationOptions, then the client's `skene` configuration section. */
import { DIALECTS, type Dialect } from '@skene/core/analysis';

export interface Settings {
  /** SQL dialect of the data source; default: from `database.url` in the config, else postgres. */
  dialect?: Dialect;
  /** Glob patterns (matched against the file path) of files analysed besides `skene.config.ts`. */
  configFiles: string[];
  /** Push diagnostics after open/change (default true; pull is always answered). */
  pushDiagnostics: boolean;
  /** Milliseconds to wait after the last change before pushing diagnostics. */
  debounceMs: number;
  /**
   * `skene.seed`: the seed Plan Loops loads; its tables are the schema. Relative paths are resolved
   * against the config's folder (in a monorepo, `apps/api/`), never the workspace root.
   */
  seed: string[];
}

export const DEFAULT_SETTINGS: Settings = { configFiles: [], pushDiagnostics: true, debounceMs: 150, seed: [] };

export function readSettings(input: unknown, base: Settings = DEFAULT_SETTINGS): Settings {
  const o = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const inner = (o.skene && typeof o.skene === 'object' ? o.skene : o) as Record<string, unknown>;
  return {
    dialect: typeof inner.dialect === 'string' && (DIALECTS as readonly string[]).includes(inner.dialect) ? (inner.dialect as Dialect) : base.dialect,
    configFiles: Array.isArray(inner.configFiles) ? inner.configFiles.filter((p): p is string => typeof p === 'string') : base.configFiles,
    pushDiagnostics: typeof inner.pushDiagnostics === 'boolean' ? inner.pushDiagnostics : base.pushDiagnostics,
    debounceMs: typeof inner.debounceMs === 'number' && inner.debounceMs >= 0 ? inner.debounceMs : base.debounceMs,
    seed: seedSetting(inner.seed) ?? base.seed,
  };
}

/** `skene.seed` is a path or a list of them; empty entries are dropped. */
function seedSetting(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.trim() ? [value] : [];
  if (Array.isArray(value)) return value.filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  return undefined;
}

/** `**` any folders, `*` anything but `/`, `?` one character; a pattern without `/` matches the file name. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(glob.includes('/') ? `(^|/)${re}$` : `(^|/)${re}$`);
}

export function isConfigFile(path: string, settings: Settings): boolean {
  if (/(^|\/)skene\.config\.ts$/.test(path)) return true;
  return settings.configFiles.some((g) => globToRegExp(g).test(path));
}
