import type { RuleContext } from '../context.js';

/** SKN007: the file has no default export Skene can read as loops. */
export function noLoops(ctx: RuleContext): void {
  const { root, shape, exportRange, text } = ctx.doc;
  if (!root) {
    const commonJs = /\bmodule\.exports\s*=/.test(text) ? ' CommonJS `module.exports` is not read: use `export default`.' : '';
    ctx.report(
      'SKN007',
      { start: 0, end: Math.min(text.length, Math.max(1, text.indexOf('\n'))) },
      `No default export: a Skene config ends with \`export default defineLoop({ … })\`, an array of loops, or \`defineConfig({ loops: [ … ] })\`.${commonJs}`,
    );
    return;
  }
  if (!shape) {
    const range = root.kind === 'opaque' ? root.range : (exportRange ?? root.range);
    // Opaque exports (an imported value, a function call) may be fine at run time; say what we could not read.
    ctx.report(
      'SKN007',
      range,
      root.kind === 'opaque'
        ? `Skene cannot read \`${root.text.slice(0, 60)}\` without running it. Export \`defineLoop({ … })\`, an array of loops or \`defineConfig({ … })\` written in this file.`
        : 'The default export must be a loop object, an array of loops or `defineConfig({ loops })`.',
      undefined,
      root.kind === 'opaque' ? 'warning' : 'error',
    );
  }
}
