import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmailTemplateError, renderEmail, templateCompileCount } from '@skene/core';

const emailsDir = fileURLToPath(new URL('./fixtures/emails', import.meta.url));

/** A private copy of the fixtures (tests that edit files or count compiles use their own). */
async function copyFixtures(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skene-email-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(emailsDir, join(dir, 'emails'), { recursive: true });
  return join(dir, 'emails');
}

async function rejects(promise: Promise<unknown>): Promise<EmailTemplateError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EmailTemplateError, `expected an EmailTemplateError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the render to fail');
}

test('renders a React Email .tsx component with its props, subject export and plain text', async () => {
  const email = await renderEmail({
    emailsDir,
    template: 'activation_welcome'.replace('activation_', ''),
    props: { name: 'Ada', activationLink: 'https://acme.test/activate?u=1&t=abc' },
  });
  assert.equal(email.kind, 'react');
  assert.equal(email.file, join(emailsDir, 'welcome.tsx'));
  assert.equal(email.subject, 'Welcome to Acme, Ada');
  assert.match(email.html, /^<!DOCTYPE html/);
  assert.match(email.html, /Hi <!-- -->Ada<!-- -->,|Hi Ada,/);
  assert.match(email.html, /href="https:\/\/acme\.test\/activate\?u=1&amp;t=abc"/);
  assert.match(email.html, /Acme Inc · 1 Example Street/, 'the local component it imports is bundled');
  assert.match(email.text, /Hi Ada,/i);
  assert.match(email.text, /Finish setting up/);
  assert.doesNotMatch(email.text, /<[a-z]/i, 'the plain-text version has no tags');
  assert.deepEqual(email.missing, []);
});

test('React output escapes personalization values: <script> in a name is text', async () => {
  const email = await renderEmail({ emailsDir, template: 'welcome', props: { name: '<script>alert(1)</script>', activationLink: 'https://acme.test' } });
  assert.doesNotMatch(email.html, /<script>/);
  assert.match(email.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.equal(email.subject, 'Welcome to Acme, <script>alert(1)</script>', 'the subject is plain text, not HTML');
});

test("the action's subject wins over the template's", async () => {
  const email = await renderEmail({ emailsDir, template: 'welcome', props: { name: 'Ada', activationLink: 'https://acme.test' }, subject: 'Custom subject' });
  assert.equal(email.subject, 'Custom subject');
});

test('a string subject export takes {{key}} placeholders from the props', async () => {
  const email = await renderEmail({ emailsDir, template: 'plain_subject', props: { name: 'Grace' } });
  assert.equal(email.subject, 'We miss you, Grace');
  const missing = await renderEmail({ emailsDir, template: 'plain_subject', props: {} });
  assert.equal(missing.subject, 'We miss you, ');
  assert.deepEqual(missing.missing, ['name']);
});

test('renders an HTML template: keys are personalization keys, values HTML-escaped, <title> is the subject', async () => {
  const email = await renderEmail({
    emailsDir,
    template: 'digest',
    props: { name: '<script>alert("x")</script> & Co', lastActivity: '2026-02-20T12:30:00.000Z', link: 'https://acme.test/d?a=1&b="2"' },
  });
  assert.equal(email.kind, 'html');
  assert.equal(email.file, join(emailsDir, 'digest.html'));
  assert.doesNotMatch(email.html, /<script>/);
  assert.match(email.html, /<h1>Hello &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; Co<\/h1>/);
  assert.match(email.html, /href="https:\/\/acme\.test\/d\?a=1&amp;b=&quot;2&quot;"/);
  assert.match(email.html, /last active on 2026-02-20T12:30:00.000Z/);
  assert.equal(email.subject, 'Your weekly digest, <script>alert("x")</script> & Co');
  assert.match(email.text, /HELLO <SCRIPT>ALERT\("X"\)<\/SCRIPT> & CO|Hello <script>/i);
  assert.deepEqual(email.missing, []);
});

test('an HTML template reports keys the props lack and renders them empty, never "undefined"', async () => {
  const email = await renderEmail({ emailsDir, template: 'digest', props: { name: 'Ada', lastActivity: null } });
  assert.deepEqual(email.missing, ['lastActivity', 'link']);
  assert.doesNotMatch(email.html, /undefined|null/);
  assert.match(email.html, /last active on \./);
});

test('a missing template lists the templates that exist and suggests the closest', async () => {
  const error = await rejects(renderEmail({ emailsDir, template: 'welcom', props: {} }));
  assert.equal(error.code, 'template-not-found');
  assert.equal(error.template, 'welcom');
  assert.equal(error.file, emailsDir);
  assert.deepEqual(error.available, ['components/footer', 'digest', 'no_default', 'plain_subject', 'throws', 'welcome']);
  assert.match(error.message, /welcom\.tsx/);
  assert.match(error.message, /Did you mean "welcome"\?/);
  const noDir = await rejects(renderEmail({ emailsDir: join(emailsDir, 'nope'), template: 'welcome', props: {} }));
  assert.equal(noDir.code, 'template-not-found');
  assert.match(noDir.message, /There is no folder/);
});

test('a template name cannot leave the emails folder', async () => {
  const error = await rejects(renderEmail({ emailsDir, template: '../secrets', props: {} }));
  assert.equal(error.code, 'invalid-template-name');
});

test('no default export is an error naming the template, file and what it does export', async () => {
  const error = await rejects(renderEmail({ emailsDir, template: 'no_default', props: {} }));
  assert.equal(error.code, 'no-default-export');
  assert.equal(error.template, 'no_default');
  assert.equal(error.file, join(emailsDir, 'no_default.tsx'));
  assert.match(error.message, /no default export/);
  assert.match(error.message, /NotDefault/);
});

test('a component that throws is an error with the template, its file and the source line', async () => {
  const error = await rejects(renderEmail({ emailsDir, template: 'throws', props: {} }));
  assert.equal(error.code, 'component-threw');
  assert.equal(error.template, 'throws');
  assert.equal(error.file, join(emailsDir, 'throws.tsx'));
  assert.equal(error.line, 4);
  assert.match(error.message, /name is required/);
  assert.match(error.message, /throws\.tsx:4:\d+/);
  assert.ok(error.cause instanceof Error);
});

test('a compile error gives file:line:column from esbuild', async (t) => {
  const dir = await copyFixtures(t);
  const file = join(dir, 'broken.tsx');
  await writeFile(
    file,
    "import { Html } from '@react-email/components';\n\nexport default function Broken() {\n  const x = ;\n  return <Html>{x}</Html>;\n}\n",
  );
  const error = await rejects(renderEmail({ emailsDir: dir, template: 'broken', props: {} }));
  assert.equal(error.code, 'compile-error');
  assert.equal(error.template, 'broken');
  assert.equal(error.file, file);
  assert.equal(error.line, 4);
  assert.equal(error.column, 13);
  assert.equal(error.location, `${file}:4:13`);
  assert.match(error.message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:13: Unexpected ";"`));
});

test('an unresolvable import is a compile error at the import, naming the package', async (t) => {
  const dir = await copyFixtures(t);
  await writeFile(join(dir, 'needs_pkg.tsx'), "import { Thing } from 'skene-no-such-package';\nexport default function X() { return <Thing />; }\n");
  const error = await rejects(renderEmail({ emailsDir: dir, template: 'needs_pkg', props: {} }));
  assert.equal(error.code, 'compile-error');
  assert.equal(error.line, 1);
  assert.equal(error.column, 23);
  assert.match(error.message, /npm install skene-no-such-package/);
});

test('a template is compiled once per version: repeated and concurrent renders reuse it, edits recompile', async (t) => {
  const dir = await copyFixtures(t);
  const props = { name: 'Ada', activationLink: 'https://acme.test' };
  const before = templateCompileCount();
  await renderEmail({ emailsDir: dir, template: 'welcome', props });
  assert.equal(templateCompileCount(), before + 1);
  await Promise.all(Array.from({ length: 25 }, () => renderEmail({ emailsDir: dir, template: 'welcome', props })));
  assert.equal(templateCompileCount(), before + 1, 'the second and later renders do not recompile');

  // Editing the template recompiles it (new content, and a new mtime to be sure).
  const file = join(dir, 'welcome.tsx');
  const { readFile } = await import('node:fs/promises');
  await writeFile(file, (await readFile(file, 'utf8')).replace('Finish setting up', 'Activate now'));
  await utimes(file, new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
  const edited = await renderEmail({ emailsDir: dir, template: 'welcome', props });
  assert.equal(templateCompileCount(), before + 2);
  assert.match(edited.html, /Activate now/);

  // Editing a local component it imports recompiles too.
  const footer = join(dir, 'components', 'footer.tsx');
  await writeFile(footer, (await readFile(footer, 'utf8')).replace('1 Example Street', '2 Example Street'));
  await utimes(footer, new Date('2030-01-02T00:00:00Z'), new Date('2030-01-02T00:00:00Z'));
  const edited2 = await renderEmail({ emailsDir: dir, template: 'welcome', props });
  assert.equal(templateCompileCount(), before + 3);
  assert.match(edited2.html, /2 Example Street/);
});

test('a broken template is compiled once, not once per email', async (t) => {
  const dir = await copyFixtures(t);
  await writeFile(join(dir, 'broken.tsx'), 'export default function Broken() { return <div>; }\n');
  const before = templateCompileCount();
  for (let i = 0; i < 5; i++) await rejects(renderEmail({ emailsDir: dir, template: 'broken', props: {} }));
  assert.equal(templateCompileCount(), before + 1);
});

test('.jsx templates, names with their extension, and templates in a subfolder', async (t) => {
  const dir = await copyFixtures(t);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(dir, 'billing'));
  await writeFile(
    join(dir, 'billing', 'receipt.jsx'),
    "import { Html, Text } from '@react-email/components';\nexport const subject = 'Your receipt';\nexport default function Receipt({ amount }) {\n  return <Html><Text>Paid {amount}</Text></Html>;\n}\n",
  );
  const jsx = await renderEmail({ emailsDir: dir, template: 'billing/receipt', props: { amount: '€12.00' } });
  assert.equal(jsx.kind, 'react');
  assert.equal(jsx.file, join(dir, 'billing', 'receipt.jsx'));
  assert.equal(jsx.subject, 'Your receipt');
  assert.match(jsx.text, /Paid €12\.00/);
  const withExt = await renderEmail({ emailsDir: dir, template: 'digest.html', props: { name: 'Ada', lastActivity: 'today', link: 'https://acme.test' } });
  assert.equal(withExt.kind, 'html');
});

test('a .tsx template wins over an .html one of the same name', async (t) => {
  const dir = await copyFixtures(t);
  await writeFile(join(dir, 'welcome.html'), '<p>html version {{name}}</p>');
  const email = await renderEmail({ emailsDir: dir, template: 'welcome', props: { name: 'Ada', activationLink: 'https://acme.test' } });
  assert.equal(email.kind, 'react');
});

test('rendering is deterministic: the same props give byte-identical output', async () => {
  const props = { name: 'Ada', activationLink: 'https://acme.test' };
  const [a, b] = await Promise.all([renderEmail({ emailsDir, template: 'welcome', props }), renderEmail({ emailsDir, template: 'welcome', props })]);
  assert.equal(a.html, b.html);
  assert.equal(a.text, b.text);
});

test('a compile error in a component the template imports points at that file', async (t) => {
  const dir = await copyFixtures(t);
  await writeFile(join(dir, 'components', 'footer.tsx'), 'export function Footer() {\n  return <p>unclosed;\n}\n');
  const error = await rejects(renderEmail({ emailsDir: dir, template: 'welcome', props: { name: 'Ada', activationLink: 'https://acme.test' } }));
  assert.equal(error.code, 'compile-error');
  assert.equal(error.template, 'welcome');
  assert.equal(error.file, join(dir, 'components', 'footer.tsx'));
  assert.equal(typeof error.line, 'number');
  assert.match(error.message, /email template "welcome" does not compile: .*footer\.tsx:\d+:\d+/);
});

test('a template that throws while loading is a load error with its source line', async (t) => {
  const dir = await copyFixtures(t);
  await writeFile(join(dir, 'bad_module.tsx'), "const config = JSON.parse('{');\nexport default function X() {\n  return <p>{String(config)}</p>;\n}\n");
  const error = await rejects(renderEmail({ emailsDir: dir, template: 'bad_module', props: {} }));
  assert.equal(error.code, 'load-error');
  assert.equal(error.file, join(dir, 'bad_module.tsx'));
  assert.equal(error.line, 1);
  assert.match(error.message, /JSON/);
});

test('templates share React with the renderer: hooks and context work (one React instance)', async (t) => {
  const dir = await copyFixtures(t);
  await writeFile(
    join(dir, 'hooks.tsx'),
    [
      "import { createContext, useContext, useId, useMemo } from 'react';",
      "import { Html, Text } from '@react-email/components';",
      "const Brand = createContext('Acme');",
      'function Signature() {',
      '  const brand = useContext(Brand);',
      '  const id = useId();',
      '  return <Text id={id}>The {brand} team</Text>;',
      '}',
      'export default function Hooks({ name }: { name: string }) {',
      '  const greeting = useMemo(() => `Hello ${name}`, [name]);',
      '  return (',
      '    <Brand.Provider value="Skene">',
      '      <Html><Text>{greeting}</Text><Signature /></Html>',
      '    </Brand.Provider>',
      '  );',
      '}',
      '',
    ].join('\n'),
  );
  const email = await renderEmail({ emailsDir: dir, template: 'hooks', props: { name: 'Ada' } });
  assert.match(email.text, /Hello Ada/);
  assert.match(email.text, /The Skene team/);
});
