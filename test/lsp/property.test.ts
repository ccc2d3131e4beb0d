/**
 * Property: random edit sequences (random characters and config snippets inserted, random spans
 * deleted) on every seed fixture, sent to the BUILT server as incremental didChange, never crash
 * it — every request at a random position (completion, hover, symbols, code actions, definition,
 * code lens, pull diagnostics) answers, no handler fails, and the final version's diagnostics are
 * pushed. Run counts are modest: this runs on 2 cores next to the rest of the suite.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { REPO, serverBuilt, startServer, type Server } from './lsp-client.ts';

const SEEDS = join(REPO, 'test/fixtures/seeds');
const RUNS_PER_SEED = 10;
const MAX_EDITS = 6;

const SNIPPETS = [
  '{',
  '}',
  '[',
  ']',
  "'",
  '"',
  '`',
  ':',
  ',',
  '\n',
  '\r\n',
  '\r',
  ' ',
  '//',
  '/*',
  '*/',
  '${',
  '\\',
  '😀',
  "type: '",
  "type: 'database', ",
  "type: 'schedule', cron: '",
  'steps: [{',
  'trigger: {',
  "table: 'us",
  'event: ',
  '{{user.',
  '{{',
  '}}',
  "template: '",
  'personalization: { name: ',
  "timeout: '5",
  "backoff: 'exp",
  'defineLoop(',
  'defineConfig({ loops: [',
  'SELECT * FROM ',
  "INTERVAL '7 days'",
  '$1',
  'export default ',
  '...',
  'as const',
  'satisfies X',
];

type Edit = { kind: 'insert'; at: number; text: string } | { kind: 'delete'; at: number; length: number };
type Probe = { method: 'completion' | 'hover' | 'symbols' | 'codeAction' | 'definition' | 'codeLens' | 'diagnostic'; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 3 })),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
);
const probe: fc.Arbitrary<Probe> = fc.record({
  method: fc.constantFrom('completion', 'hover', 'symbols', 'codeAction', 'definition', 'codeLens', 'diagnostic'),
  at: fc.nat(),
});
const session = fc.array(fc.tuple(edit, fc.array(probe, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: MAX_EDITS });

const skip = serverBuilt() ? false : 'the server is not built: run `npm run build` (npm test does)';

describe('random edits never take the server down', { skip }, () => {
  let server: Server;
  before(async () => {
    server = await startServer({ initializationOptions: { debounceMs: 5 } });
  });
  after(async () => {
    if (server && server.process.exitCode === null) assert.equal(await server.stop(), 0);
  });

  for (const seed of readdirSync(SEEDS).sort()) {
    test(`seed ${seed}`, async () => {
      const path = join(SEEDS, seed, 'skene.config.ts');
      const original = readFileSync(path, 'utf8');
      const uri = pathToFileURL(path).href;
      const c = server.connection;
      await fc.assert(
        fc.asyncProperty(session, async (steps) => {
          let doc = TextDocument.create(uri, 'typescript', 1, original);
          await c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: original } });
          try {
            for (const [e, probes] of steps) {
              const text = doc.getText();
              const at = e.at % (text.length + 1);
              const end = e.kind === 'delete' ? Math.min(text.length, at + e.length) : at;
              const range = { start: doc.positionAt(at), end: doc.positionAt(end) };
              const change = { range, text: e.kind === 'insert' ? e.text : '' };
              doc = TextDocument.update(doc, [change], doc.version + 1);
              await c.sendNotification('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: [change] });
              for (const p of probes) {
                const position = doc.positionAt(p.at % (doc.getText().length + 1));
                const textDocument = { uri };
                const answer = await (p.method === 'completion'
                  ? c.sendRequest('textDocument/completion', { textDocument, position })
                  : p.method === 'hover'
                    ? c.sendRequest('textDocument/hover', { textDocument, position })
                    : p.method === 'symbols'
                      ? c.sendRequest('textDocument/documentSymbol', { textDocument })
                      : p.method === 'codeAction'
                        ? c.sendRequest('textDocument/codeAction', { textDocument, range: { start: position, end: position }, context: { diagnostics: [] } })
                        : p.method === 'definition'
                          ? c.sendRequest('textDocument/definition', { textDocument, position })
                          : p.method === 'codeLens'
                            ? c.sendRequest('textDocument/codeLens', { textDocument })
                            : c.sendRequest('textDocument/diagnostic', { textDocument }));
                if (p.method !== 'hover') assert.ok(answer !== undefined && answer !== null, `${p.method} answered`);
              }
            }
            // The final version's diagnostics are pushed.
            const final = doc.version;
            const pushed =
              server.published.some((x) => x.uri === uri && x.version === final) ||
              (await Promise.race([server.nextDiagnostics(uri, (x) => x.version === final).then(() => true), server.exited.then(() => false)]));
            assert.ok(pushed, 'diagnostics of the last version were pushed');
          } finally {
            await c.sendNotification('textDocument/didClose', { textDocument: { uri } });
          }
          assert.equal(server.process.exitCode, null, 'the server is still running');
          const failures = server.logs.filter((l) => /skene: .* failed|uncaught|unhandled/.test(l));
          assert.deepEqual(failures, [], 'no handler failed');
        }),
        { numRuns: RUNS_PER_SEED },
      );
    });
  }
});
