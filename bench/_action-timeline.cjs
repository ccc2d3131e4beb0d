'use strict';
// Preloaded (NODE_OPTIONS=--require) into the action's process by bench/action.ts: appends one
// JSON line per event to $SKENE_BENCH_TIMELINE, with epoch milliseconds, so the bench can say
// where the wall time goes without changing the action. Main thread only. Events: node's start,
// each line the action logs, the unpacking of each compressed file, loading TypeScript and
// esbuild, each esbuild build (React templates, the config), each worker thread's start, first
// message and exit, and the process's exit.
const { appendFileSync } = require('node:fs');
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
const workerThreads = require('node:worker_threads');

const file = process.env.SKENE_BENCH_TIMELINE;
if (file && workerThreads.isMainThread) {
  const now = () => performance.timeOrigin + performance.now();
  const mark = (what, at = now(), ms) => appendFileSync(file, JSON.stringify({ at, what, ms }) + '\n');
  mark('node started', performance.timeOrigin);
  mark('preload ran');

  const timed = (label, fn) =>
    function (...args) {
      const start = now();
      const result = fn.apply(this, args);
      if (result && typeof result.then === 'function') {
        return result.finally(() => mark(label(args), start, now() - start));
      }
      mark(label(args), start, now() - start);
      return result;
    };

  const originalLoad = Module._load;
  const wrapped = new WeakSet();
  Module._load = function (request, ...rest) {
    // esbuild is imported from ESM (by file name), TypeScript required by name.
    const esbuild = request === 'esbuild' || /[\\/]esbuild[\\/]lib[\\/]main\.js$/.test(request);
    const heavy = request === 'typescript' || esbuild;
    const start = now();
    const exports = originalLoad.call(this, request, ...rest);
    if (heavy) mark(`require('${esbuild ? 'esbuild' : request}')`, start, now() - start);
    if (typeof request === 'string' && request.endsWith('unpack.cjs') && !wrapped.has(exports)) {
      wrapped.add(exports);
      exports.unpacked = timed(([f]) => `unpacked ${f}`, exports.unpacked);
    }
    if (esbuild && !wrapped.has(exports)) {
      wrapped.add(exports);
      const entries = (o) =>
        Object.values(o?.entryPoints ?? {}).map((p) =>
          String(p?.in ?? p)
            .split(/[\\/]/)
            .pop(),
        );
      exports.build = timed(([o]) => `esbuild build ${entries(o).join(', ') || (o?.stdin ? 'stdin' : '?')}`, exports.build);
    }
    return exports;
  };

  const { Worker } = workerThreads;
  let workers = 0;
  workerThreads.Worker = class extends Worker {
    constructor(code, options) {
      super(code, options);
      const name = `${/([\w-]+-worker)\.(?:js|ts)/.exec(String(code))?.[1] ?? 'worker'}#${++workers}`;
      mark(`${name} created`);
      this.once('online', () => mark(`${name} online`));
      this.once('message', () => mark(`${name} first message`));
      this.once('exit', () => mark(`${name} exit`));
    }
  };

  const write = process.stdout.write;
  process.stdout.write = function (chunk, ...rest) {
    for (const line of String(chunk).split('\n')) if (line.trim()) mark(`log ${line.slice(0, 90)}`);
    return write.call(this, chunk, ...rest);
  };
  process.on('exit', () => mark('process exit'));
}
