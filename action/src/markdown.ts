/** Small Markdown helpers for what the action adds around core's rendered report. */
import { escapeControls } from '@skene/core';

/** A fenced code block whose fence is longer than any backtick run inside `text` (control characters shown escaped). */
export function fence(raw: string, lang = ''): string {
  const text = raw
    .replace(/\r\n|\r/g, '\n')
    .split('\n')
    .map((line) => line.split('\t').map(escapeControls).join('\t'))
    .join('\n');
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const bar = '`'.repeat(Math.max(3, longest + 1));
  return `${bar}${lang}\n${text}\n${bar}`;
}

/** UTF-8 size: GitHub's summary limit is in bytes, the comment limit in characters. */
export function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
