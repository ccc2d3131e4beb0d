/**
 * Values computed once per text and kept: the editor re-checks the whole config on every edit,
 * and a plan re-runs the same statements, so conditions, crons and template strings come back
 * again and again. At most `max` are kept; when full the memo starts again (a clear is cheaper
 * than keeping an order, and the texts in use come back on the next call). A kept value is
 * shared between callers: they read it, never change it.
 */
export class Memo<V> {
  private readonly values = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string, compute: () => V): V {
    const found = this.values.get(key);
    if (found !== undefined || this.values.has(key)) return found as V;
    const value = compute();
    if (this.values.size >= this.max) this.values.clear();
    this.values.set(key, value);
    return value;
  }
}
