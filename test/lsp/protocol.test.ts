/**
 * The built language server over stdio, driven by a real LSP client library: initialize,
 * didOpen/didChange, pushed and pulled diagnostics, completion at `|` markers, hover, code actions
 * applied to the text, symbols, definition, code lens, re-check on watched files, a forced
 * failure that is logged and answered empty, shutdown/exit.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type {
  CodeAction,
  CodeLens,
  CompletionList,
  Diagnostic,
  DocumentSymbol,
  Hover,
  Location,
  MarkupContent,
  TextDocumentEdit,
} from 'vscode-languageserver-protocol';
import { docsUrl, type DiagnosticCode } from '@skene/core';
import { applyEdits, codes, cursor, positionAt, REPO, SERVER_BIN, serverBuilt, startServer, type Server } from './lsp-client.ts';

const FIXTURE = join(REPO, 'test/lsp/fixtures/app');

const BROKEN = `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  type: 'activation',
  opinion: 'Welcome users',
  steps: [{
    trigger: { type: 'database', table: 'usrs', event: 'insert' },
    condition: { type: 'query', query: \`SELECT 1 FROM user_actions WHERE user_id = $1\`, timeout: '5 minutes' },
    action: { type: 'email', provider: 'resend', template: 'welcome', subject: 'Hi {{user.nme}}', personalisation: { name: '{{user.name}}' } },
  }],
  recovery: { retries: 3, backoff: 'exponentail' },
});
`;

const FIXED = `import { defineLoop } from '@skene/sdk';
export default defineLoop({
  type: 'activation',
  opinion: 'Welcome users',
  steps: [{
    trigger: { type: 'database', table: 'users', event: 'insert' },
    condition: { type: 'query', query: \`SELECT 1 FROM user_actions WHERE user_id = $1\`, timeout: '5m' },
    action: { type: 'email', provider: 'resend', template: 'activation_welcome', subject: 'Hi {{user.name}}', personalization: { name: '{{user.name}}' } },
  }],
  recovery: { retries: 3, backoff: 'exponential' },
});
`;

const SCHEDULE = `import { defineConfig } from '@skene/sdk';
export default defineConfig({
  loops: [
    {
      id: 'reengage',
      type: 'retention',
      opinion: 'Re-engage idle users',
      steps: [{
        trigger: { type: 'schedule', cron: '0 9 * * 1-5', timezone: 'Europe/Helsinki' },
        condition: { type: 'query', query: \`SELECT * FROM users WHERE last_activity_at < NOW() - INTERVAL '7 days'\` },
        action: { type: 'email', provider: 'resend', template: 're_engagement', personalization: { name: '{{user.name}}' } },
      }],
    },
    {
      type: 'activation',
      opinion: 'Welcome',
      steps: [{
        trigger: { type: 'database', table: 'users', event: 'insert' },
        action: { type: 'email', provider: 'resend', template: 'activation_welcome' },
      }],
    },
  ],
});
`;

const skip = serverBuilt() ? false : 'the server is not built: run `npm run build` (npm test does)';

describe('language server over stdio', { skip }, () => {
  let server: Server;
  let version = 1;
  const uri = pathToFileURL(join(FIXTURE, 'skene.config.ts')).href;

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    if (server.process.exitCode === null) server.process.kill();
  });

  async function open(text: string, at = uri): Promise<Diagnostic[]> {
    const next = server.nextDiagnostics(at);
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: at, languageId: 'typescript', version: version++, text } });
    return (await next).diagnostics;
  }

  async function replace(text: string, at = uri): Promise<Diagnostic[]> {
    const v = version++;
    const next = server.nextDiagnostics(at, (p) => p.version === v);
    await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri: at, version: v }, contentChanges: [{ text }] });
    return (await next).diagnostics;
  }

  async function completionLabels(marked: string): Promise<string[]> {
    const { text, offset } = cursor(marked);
    await replace(text);
    const list = (await server.connection.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: positionAt(text, offset),
    })) as CompletionList;
    return list.items.map((i) => i.label);
  }

  test('initialize answers the capabilities the services back', () => {
    const caps = server.initializeResult.capabilities;
    assert.equal(server.initializeResult.serverInfo?.name, 'skene-language-server');
    assert.ok(
      caps.completionProvider &&
        caps.hoverProvider &&
        caps.codeActionProvider &&
        caps.documentSymbolProvider &&
        caps.definitionProvider &&
        caps.codeLensProvider &&
        caps.diagnosticProvider,
    );
  });

  test('registers file watchers for schema SQL and emails/ dynamically', async () => {
    await server.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///nowhere.ts' }, position: { line: 0, character: 0 } });
    const watchers = server.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
    assert.deepEqual(
      (watchers?.registerOptions as { watchers: { globPattern: string }[] }).watchers.map((w) => w.globPattern),
      ['**/*.sql', '**/emails/**'],
    );
  });

  test('didOpen pushes the diagnostics, each with code, source and docs link', async () => {
    const diagnostics = await open(BROKEN);
    assert.deepEqual(codes(diagnostics), ['SKN001', 'SKN004', 'SKN012', 'SKN030', 'SKN040', 'SKN041']);
    for (const d of diagnostics) {
      assert.equal(d.source, 'skene');
      assert.equal(d.codeDescription?.href, docsUrl(d.code as DiagnosticCode));
    }
    const backoff = diagnostics.find((d) => d.code === 'SKN004')!;
    assert.deepEqual(backoff.range, { start: { line: 9, character: 35 }, end: { line: 9, character: 48 } });
    assert.equal(backoff.severity, 1);
  });

  test('pull diagnostics answer the same', async () => {
    const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { kind: string; items: Diagnostic[] };
    assert.equal(report.kind, 'full');
    assert.deepEqual(codes(report.items), ['SKN001', 'SKN004', 'SKN012', 'SKN030', 'SKN040', 'SKN041']);
  });

  test('incremental didChange re-checks the edited version', async () => {
    const v = version++;
    const next = server.nextDiagnostics(uri, (p) => p.version === v);
    const start = BROKEN.indexOf('exponentail');
    await server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: v },
      contentChanges: [{ range: { start: positionAt(BROKEN, start), end: positionAt(BROKEN, start + 'exponentail'.length) }, text: 'exponential' }],
    });
    assert.deepEqual(codes((await next).diagnostics), ['SKN001', 'SKN012', 'SKN030', 'SKN040', 'SKN041']);
    assert.deepEqual(await replace(FIXED), []);
  });

  test('code actions, applied to the text, fix each diagnostic', async () => {
    const diagnostics = await replace(BROKEN);
    let text = BROKEN;
    const created: { uri: string; text: string }[] = [];
    for (const code of ['SKN001', 'SKN004', 'SKN012', 'SKN040', 'SKN041']) {
      const d = diagnostics.find((x) => x.code === code)!;
      const actions = (await server.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: d.range,
        context: { diagnostics: [d] },
      })) as CodeAction[];
      const action = actions.find((a) => a.diagnostics?.[0]?.code === code && a.isPreferred);
      assert.ok(action, `a preferred quick fix for ${code}`);
      assert.equal(action.kind, 'quickfix');
      const edits = (action.edit!.documentChanges as TextDocumentEdit[]).flatMap((c) => c.edits);
      text = applyEdits(text, edits as never);
    }
    const template = diagnostics.find((x) => x.code === 'SKN030')!;
    const actions = (await server.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: template.range,
      context: { diagnostics: [template] },
    })) as CodeAction[];
    const create = actions.find((a) => a.title === 'Create emails/welcome.tsx');
    assert.ok(create, `create-template action among ${actions.map((a) => a.title).join(', ')}`);
    const [createFile, fill] = create.edit!.documentChanges as [{ kind: string; uri: string }, TextDocumentEdit];
    assert.equal(createFile.kind, 'create');
    assert.equal(createFile.uri, pathToFileURL(join(FIXTURE, 'emails/welcome.tsx')).href);
    created.push({ uri: fill.textDocument.uri, text: applyEdits('', fill.edits as never) });
    assert.match(created[0].text, /export default function Welcome\(/);
    assert.equal(
      text,
      BROKEN.replace("table: 'usrs'", "table: 'users'")
        .replace("'5 minutes'", "'5m'")
        .replace('personalisation', 'personalization')
        .replace('user.nme', 'user.name')
        .replace('exponentail', 'exponential'),
    );
    const remaining = await replace(text);
    assert.deepEqual(codes(remaining), ['SKN030']);
  });

  test('completion at | markers', async () => {
    const cases: [string, string[], string[]?][] = [
      ["export default defineLoop({ type: 'activation', | })", ['opinion', 'steps', 'id', 'recovery'], ['type']],
      ["export default defineLoop({ steps: [{ trigger: { type: 'database', | } }] })", ['table', 'event'], ['cron', 'type']],
      ["export default defineLoop({ steps: [{ trigger: { type: 'schedule', c| } }] })", ['cron', 'timezone'], ['table']],
      ["export default defineLoop({ recovery: { backoff: '|' } })", ['exponential', 'linear', 'fixed']],
      ["export default defineLoop({ steps: [{ trigger: { type: 'database', table: '|' } }] })", ['users', 'user_actions']],
      ["export default defineLoop({ steps: [{ action: { type: 'email', template: '|' } }] })", ['activation_welcome', 're_engagement']],
      [
        "export default defineLoop({ steps: [{ action: { type: 'email', personalization: { name: '{{user.|}}' } } }] })",
        ['email', 'name', 'activation_link', 'plan'],
      ],
      ["export default defineLoop({ steps: [{ trigger: { type: 'schedule', cron: '|' } }] })", ['0 9 * * *', '0 9 * * 1-5']],
      ["export default defineLoop({ steps: [{ condition: { type: 'query', timeout: '|' } }] })", ['30s', '5m', '1h', '7d']],
    ];
    for (const [marked, present, absent = []] of cases) {
      const labels = await completionLabels(marked);
      for (const l of present) assert.ok(labels.includes(l), `${marked}: expected ${l} in ${labels.join(', ')}`);
      for (const l of absent) assert.ok(!labels.includes(l), `${marked}: did not expect ${l}`);
    }
  });

  test('completion items replace the half-typed word', async () => {
    const { text, offset } = cursor('export default defineLoop({ recovery: { backoff: ex| } })');
    await replace(text);
    const list = (await server.connection.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: positionAt(text, offset),
    })) as CompletionList;
    const item = list.items.find((i) => i.label === 'exponential')!;
    assert.equal(applyEdits(text, [item.textEdit as never]), "export default defineLoop({ recovery: { backoff: 'exponential' } })");
  });

  test("hover: field docs, cron in words with next occurrences, a table's columns", async () => {
    await replace(SCHEDULE);
    const at = async (needle: string, delta = 1) => {
      const h = (await server.connection.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position: positionAt(SCHEDULE, SCHEDULE.indexOf(needle) + delta),
      })) as Hover | null;
      return (h?.contents as MarkupContent | undefined)?.value ?? '';
    };
    const cron = await at("'0 9 * * 1-5'");
    assert.match(cron, /At 09:00, Monday through Friday \(Europe\/Helsinki\)/);
    assert.match(
      cron,
      /Next: (Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d 09:00, (Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d 09:00, (Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d 09:00/,
    );
    assert.match(await at('opinion'), /What the loop does, in one sentence/);
    const users = await at("table: 'users'", 9);
    assert.match(users, /\*\*users\*\* \(migrations\/001_init\.sql:2\)/);
    assert.match(users, /`last_activity_at` timestamptz/);
    assert.equal(await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } }), null);
  });

  test('symbols: loops and their steps', async () => {
    const symbols = (await server.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail, s.children?.map((c) => `${c.name}: ${c.detail}`)]),
      [
        ['reengage', 'Re-engage idle users', ['step 1: schedule 0 9 * * 1-5 → re_engagement']],
        ['activation-1', 'Welcome', ['step 1: insert on users → activation_welcome']],
      ],
    );
  });

  test('definition: template → its file, table → its CREATE TABLE', async () => {
    const def = async (needle: string) =>
      (await server.connection.sendRequest('textDocument/definition', {
        textDocument: { uri },
        position: positionAt(SCHEDULE, SCHEDULE.indexOf(needle) + 2),
      })) as Location[];
    assert.deepEqual(await def("'re_engagement'"), [
      { uri: pathToFileURL(join(FIXTURE, 'emails/re_engagement.tsx')).href, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
    ]);
    const table = await def("'users', event");
    assert.equal(table[0].uri, pathToFileURL(join(FIXTURE, 'migrations/001_init.sql')).href);
    assert.deepEqual(table[0].range.start, { line: 1, character: 13 });
  });

  test('code lens: Plan this loop and Copy Skene Prompt on each loop', async () => {
    const lenses = (await server.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command, l.command?.arguments]),
      [
        [3, 'Plan this loop', 'skene.planLoop', ['reengage', uri]],
        [3, 'Copy Skene Prompt', 'skene.copyPrompt', [uri]],
        [13, 'Plan this loop', 'skene.planLoop', ['activation-1', uri]],
        [13, 'Copy Skene Prompt', 'skene.copyPrompt', [uri]],
      ],
    );
  });

  test('only skene.config.ts is analysed', async () => {
    const other = pathToFileURL(join(FIXTURE, 'other.ts')).href;
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: other, languageId: 'typescript', version: 1, text: BROKEN } });
    const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: other } })) as { items: Diagnostic[] };
    assert.deepEqual(report.items, []);
    const list = (await server.connection.sendRequest('textDocument/completion', {
      textDocument: { uri: other },
      position: { line: 9, character: 38 },
    })) as CompletionList;
    assert.deepEqual(list.items, []);
    assert.ok(!server.published.some((p) => p.uri === other && p.diagnostics.length));
  });

  test('shutdown and exit: the process exits 0', async () => {
    assert.equal(await server.stop(), 0);
  });
});

describe('re-checks when schema SQL or emails/ change', { skip }, () => {
  test('a new template and a new table clear their diagnostics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skene-lsp-'));
    cpSync(FIXTURE, dir, { recursive: true });
    const server = await startServer();
    try {
      const uri = pathToFileURL(join(dir, 'skene.config.ts')).href;
      const text = BROKEN.replace("'usrs'", "'accounts'");
      const first = server.nextDiagnostics(uri);
      await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
      assert.ok(codes((await first).diagnostics).includes('SKN030'));
      writeFileSync(join(dir, 'emails/welcome.html'), '<p>Hi {{name}}</p>');
      writeFileSync(join(dir, 'migrations/002_accounts.sql'), 'CREATE TABLE accounts (id serial PRIMARY KEY);');
      const next = server.nextDiagnostics(uri, (p) => !codes(p.diagnostics).includes('SKN030'));
      await server.connection.sendNotification('workspace/didChangeWatchedFiles', {
        changes: [
          { uri: pathToFileURL(join(dir, 'emails/welcome.html')).href, type: 1 },
          { uri: pathToFileURL(join(dir, 'migrations/002_accounts.sql')).href, type: 1 },
        ],
      });
      // accounts (id only) reaches no person: SKN043 rather than {{user.nme}} checked against users.
      assert.deepEqual(codes((await next).diagnostics), ['SKN001', 'SKN004', 'SKN012', 'SKN043']);
      assert.equal(await server.stop(), 0);
    } finally {
      if (server.process.exitCode === null) server.process.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('never down', { skip }, () => {
  test('a failing completion service is logged and answered empty; the server keeps serving', async () => {
    const server = await startServer({ initializationOptions: { skeneTestFault: 'completion' } });
    try {
      const uri = pathToFileURL(join(FIXTURE, 'skene.config.ts')).href;
      const { text, offset } = cursor("export default defineLoop({ recovery: { backoff: '|' } })");
      await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
      const position = positionAt(text, offset);
      const list = (await server.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position })) as CompletionList;
      assert.deepEqual(list, { isIncomplete: false, items: [] });
      assert.match(await server.waitForLog(/completion failed/), /skeneTestFault: the completion service failed on purpose/);
      // Still serving: hover, diagnostics, and completion again (still failing, still answered).
      const h = (await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position })) as Hover;
      assert.match((h.contents as MarkupContent).value, /\*\*recovery\.backoff\*\*/);
      const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] };
      assert.ok(Array.isArray(report.items));
      assert.deepEqual(await server.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position }), { isIncomplete: false, items: [] });
      assert.equal(await server.stop(), 0);
    } finally {
      if (server.process.exitCode === null) server.process.kill();
    }
  });

  test('a failing diagnostics service (SKENE_TEST_FAULT) answers an empty report and keeps serving', async () => {
    const server = await startServer({ env: { SKENE_TEST_FAULT: 'diagnostics' } });
    try {
      const uri = pathToFileURL(join(FIXTURE, 'skene.config.ts')).href;
      await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: BROKEN } });
      const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] };
      assert.deepEqual(report.items, []);
      await server.waitForLog(/diagnostics failed/);
      const symbols = (await server.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as DocumentSymbol[];
      assert.equal(symbols[0].name, 'activation-1');
      assert.equal(await server.stop(), 0);
    } finally {
      if (server.process.exitCode === null) server.process.kill();
    }
  });
});

describe('over stdio: what the server does itself (stdio.ts)', { skip }, () => {
  test('stdin closed without a shutdown request: the process exits 1; after one: 0', async () => {
    for (const [shutdownFirst, code] of [
      [false, 1],
      [true, 0],
    ] as const) {
      const server = await startServer();
      try {
        if (shutdownFirst) await server.connection.sendRequest('shutdown');
        server.process.stdin!.end();
        assert.equal(await server.exited, code, shutdownFirst ? 'after shutdown' : 'without shutdown');
      } finally {
        if (server.process.exitCode === null) server.process.kill();
      }
    }
  });

  test('one write per message: a body with multi-byte characters is framed by its length in bytes', async () => {
    const server = await startServer();
    try {
      const uri = pathToFileURL(join(FIXTURE, 'skene.config.ts')).href;
      const text = "export default defineLoop({ id: 'welcome', opinion: 'Hi', type: 'activatiön', steps: [] })";
      await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
      const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] };
      assert.ok(
        report.items.some((d) => typeof d.message === 'string' && d.message.includes("'activatiön' is not a valid type")),
        'the answer quotes the value, "ö" (two bytes in UTF-8) and all',
      );
      // The stream stays in step after it: the next answers are read whole.
      const symbols = (await server.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as DocumentSymbol[];
      assert.equal(symbols[0].name, 'welcome');
      assert.equal(await server.stop(), 0);
    } finally {
      if (server.process.exitCode === null) server.process.kill();
    }
  });
  test('console goes to stderr: code in the process that logs does not break the protocol', async () => {
    const consoleUser = join(REPO, 'test/lsp/fixtures/console-user.cjs');
    const server = await startServer({ command: ['--require', consoleUser, SERVER_BIN, '--stdio'] });
    try {
      // Bounded waits: were the lines on stdout, the client would read neither them nor the answers after them.
      const within = <T>(promise: Promise<T>, what: string) =>
        Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing within 10 s`)), 10_000).unref())]);
      await within(server.waitForLog(/console-user: table/), 'console output on stderr');
      const uri = pathToFileURL(join(FIXTURE, 'skene.config.ts')).href;
      await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: BROKEN } });
      // Answered whole while the lines keep coming: none of them went into stdout.
      for (let i = 0; i < 5; i++) {
        const report = (await within(server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } }), 'an answer')) as {
          items: Diagnostic[];
        };
        assert.deepEqual(codes(report.items), ['SKN001', 'SKN004', 'SKN012', 'SKN030', 'SKN040', 'SKN041']);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const logged = server.logs.join('');
      for (const method of ['log', 'info', 'debug', 'dir', 'table']) assert.match(logged, new RegExp(`console-user: ${method}`), `console.${method} on stderr`);
      assert.equal(await server.stop(), 0);
    } finally {
      if (server.process.exitCode === null) server.process.kill();
    }
  });
});

describe('over node IPC (--node-ipc), as the VS Code extension runs it', { skip }, () => {
  test('initialize, diagnostics, shutdown and exit', async () => {
    const { fork } = await import('node:child_process');
    const { createProtocolConnection, IPCMessageReader, IPCMessageWriter } = await import('vscode-languageserver-protocol/node');
    const child = fork(join(REPO, 'packages/language-server/dist/bin.cjs'), ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.listen();
    try {
      const init = (await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} })) as {
        serverInfo?: { name: string };
      };
      assert.equal(init.serverInfo?.name, 'skene-language-server');
      await connection.sendNotification('initialized', {});
      const uri = pathToFileURL(join(FIXTURE, 'skene.config.ts')).href;
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: BROKEN } });
      const report = (await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] };
      assert.deepEqual(codes(report.items), ['SKN001', 'SKN004', 'SKN012', 'SKN030', 'SKN040', 'SKN041']);
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
      assert.equal(await exited, 0);
    } finally {
      connection.dispose();
      if (child.exitCode === null) child.kill();
    }
  });
});

describe('settings: dialect and which files are configs', { skip }, () => {
  const seed = (name: string) => join(REPO, 'test/fixtures/seeds', name, 'skene.config.ts');
  const pull = async (server: Server, uri: string, text: string) => {
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] };
    return codes(report.items);
  };

  test('the TiDB seed: clean as PostgreSQL, SKN023 with dialect mysql (initializationOptions), or by database.url', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(seed('tidb'), 'utf8');
    const plain = await startServer();
    const mysql = await startServer({ initializationOptions: { skene: { dialect: 'mysql', pushDiagnostics: false } } });
    try {
      assert.deepEqual(await pull(plain, pathToFileURL(seed('tidb')).href, text), []);
      assert.deepEqual(await pull(mysql, pathToFileURL(seed('tidb')).href, text), ['SKN023']);
      const viaUrl = text
        .replace("import { defineLoop } from '@skene/sdk';", "import { defineConfig } from '@skene/sdk';")
        .replace('export default defineLoop({', "export default defineConfig({ database: { url: 'mysql://root@127.0.0.1/app' }, loops: [{")
        .replace(/\}\);\s*$/, '}] });\n');
      assert.deepEqual(await pull(plain, pathToFileURL(join(FIXTURE, 'skene.config.ts')).href, viaUrl), ['SKN023']);
      assert.ok(!mysql.published.length, 'pushDiagnostics: false pushes nothing');
    } finally {
      assert.equal(await plain.stop(), 0);
      assert.equal(await mysql.stop(), 0);
    }
  });

  test('debounceMs: an edit waits for it, opening a file does not', async () => {
    const server = await startServer({ initializationOptions: { skene: { debounceMs: 1500 } } });
    try {
      const uri = pathToFileURL(join(FIXTURE, 'skene.config.ts')).href;
      let t0 = performance.now();
      const opened = server.nextDiagnostics(uri);
      await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: BROKEN } });
      await opened;
      assert.ok(performance.now() - t0 < 1500, `opening pushed after ${Math.round(performance.now() - t0)} ms: not debounced`);
      t0 = performance.now();
      const edited = server.nextDiagnostics(uri, (p) => p.version === 2);
      await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: BROKEN + '\n' }] });
      await edited;
      assert.ok(performance.now() - t0 >= 1450, `an edit pushed after ${Math.round(performance.now() - t0)} ms: debounced by 1500 ms`);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  test('skene.configFiles (from workspace/configuration) adds files to analyse', async () => {
    const server = await startServer({ settings: { configFiles: ['**/loops/*.loop.ts'] } });
    try {
      // The setting arrives through workspace/configuration after `initialized`.
      await server.configured;
      // loops/ has no emails/ and no schema files: the template is reported missing, tables are not checked.
      assert.deepEqual(await pull(server, pathToFileURL(join(FIXTURE, 'loops/welcome.loop.ts')).href, BROKEN), ['SKN001', 'SKN004', 'SKN012', 'SKN030']);
      assert.deepEqual(await pull(server, pathToFileURL(join(FIXTURE, 'loops/other.ts')).href, BROKEN), []);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
