import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copiedMessage, cursorPromptLink, isCursor } from '../src/prompt.js';

describe('Copy Skene Prompt for Cursor: presentation', () => {
  it("Cursor's prompt deep link carries the whole prompt, percent-encoded, and decodes back to it", () => {
    const prompt = "@task: Initialize Skene.\n@action: … Retention Loop pattern for Hasura.\n- users (seed/001.sql:3): id, email & name = 'x' #1 +2 100%\n";
    const link = cursorPromptLink(prompt);
    assert.ok(link.startsWith('cursor://anysphere.cursor-deeplink/prompt?text='));
    assert.doesNotMatch(link.slice(link.indexOf('=') + 1), /[\s&#+]|%(?![0-9A-F]{2})/);
    const url = new URL(link);
    assert.equal(url.searchParams.get('text'), prompt);
  });

  it('recognises Cursor by its app name', () => {
    assert.equal(isCursor('Cursor'), true);
    assert.equal(isCursor('Visual Studio Code'), false);
    assert.equal(isCursor('code-server'), false);
  });

  it('the notification names the pattern and the stack', () => {
    const message = copiedMessage({ title: 'Retention Loop pattern for Hasura', pattern: 'retention' } as never);
    assert.match(message, /Copied the Skene prompt \(Retention Loop pattern for Hasura\) to the clipboard/);
  });
});
