/**
 * Where SQL text is code and where it is a string or comment, so pattern checks never fire
 * inside `'…'` literals or comments.
 */
export function codeMask(sql: string): boolean[] {
  const code = new Array<boolean>(sql.length).fill(true);
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const start = i;
    if (ch === "'" || ch === '"' || ch === '`') {
      i++;
      while (i < sql.length && !(sql[i] === ch && sql[i + 1] !== ch)) i += sql[i] === ch ? 2 : sql[i] === '\\' ? 2 : 1;
      i++;
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else {
      i++;
      continue;
    }
    for (let j = start; j < Math.min(i, sql.length); j++) code[j] = false;
  }
  return code;
}

/** Matches of `pattern` (global) that start in code. */
export function codeMatches(sql: string, pattern: RegExp): RegExpExecArray[] {
  const mask = codeMask(sql);
  return [...sql.matchAll(pattern)].filter((m) => mask[m.index!]) as RegExpExecArray[];
}
