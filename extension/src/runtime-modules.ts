/**
 * Packages that code in the bundle loads by name at run time (`createRequire(import.meta.url)(…)`,
 * which esbuild cannot see): TypeScript (core's parser; the server's code cache), and what compiled
 * email templates require — React, react-dom, @react-email/components. The .vsix has no
 * node_modules, so those names resolve to the copies bundled here: one React instance for the
 * templates and the renderer. Installed first thing in dist/server.mjs, in both modes.
 */
import Module from 'node:module';

/* eslint-disable @typescript-eslint/no-require-imports -- esbuild bundles what `require` names here; an `import` would load them all at start */

const BUNDLED: Record<string, () => unknown> = {
  typescript: () => require('typescript'),
  react: () => require('react'),
  'react/jsx-runtime': () => require('react/jsx-runtime'),
  'react/jsx-dev-runtime': () => require('react/jsx-dev-runtime'),
  'react-dom': () => require('react-dom'),
  'react-dom/server': () => require('react-dom/server'),
  '@react-email/components': () => require('@react-email/components'),
};
export const BUNDLED_PREFIX = 'skene-bundled:';

type ModuleInternals = typeof Module & {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _cache: Record<string, unknown>;
};

let installed = false;

export function installBundledModules(): void {
  if (installed) return;
  installed = true;
  const M = Module as ModuleInternals;
  const original = M._resolveFilename;
  M._resolveFilename = function resolveFilename(request, parent, isMain, options) {
    if (Object.prototype.hasOwnProperty.call(BUNDLED, request)) {
      const id = BUNDLED_PREFIX + request;
      if (!M._cache[id]) {
        const m = new Module(id);
        m.exports = BUNDLED[request]!();
        m.loaded = true;
        M._cache[id] = m;
      }
      return id;
    }
    return original.call(this, request, parent, isMain, options);
  };
}

installBundledModules();
