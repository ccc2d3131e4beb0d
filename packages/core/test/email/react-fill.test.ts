/**
 * Compiled React templates (react-compile.ts, react-fill.ts) stand in for React: for every
 * example template and for templates that branch on props, map over arrays, format dates and
 * numbers, compare props with built values and put props in `href` or `style`, a fill — when the
 * template compiles and the fill takes the values — must give `@react-email/render`'s bytes and
 * their plain text, for any props. What must not compile does not.
 */
import '../../src/email/react-production.js'; // the React build renders use, chosen before React loads
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { createElement, type ComponentType, type ReactElement } from 'react';
import { render } from '@react-email/render';
import { Preview, Text } from '@react-email/components';
import { loadTemplate } from '../../src/email/compile.js';
import { compileReactTemplate, type CompiledReactTemplate } from '../../src/email/render.js';
import { htmlToPlainText, loadPlainText } from '../../src/email/plain-text.js';
import { fillFrom, proveReactTemplate } from '../../src/email/react-fill.js';
import { renderReactEmail } from '../../src/email/react-render.js';

await loadPlainText(); // html-to-text, loaded on demand (plain-text.ts)

const examplesDir = fileURLToPath(new URL('../../../../examples', import.meta.url));

const KEYS = ['name', 'first', 'last', 'lastActivity', 'activationLink', 'plan', 'amount', 'count', 'link', 'color', 'items'] as const;
// Strings that stress escaping, URL schemes, whitespace (plain text), dates and numbers; and the
// non-strings React writes differently (numbers, booleans, null, undefined).
const value = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    'Zoë <O\'Brien> & "Co"',
    '&amp;&#39;',
    '',
    ' ',
    'a  b',
    '日本語 テキスト',
    '👩🏽‍💻',
    '\ud800x',
    'a\u0000b',
    '2026-02-10T14:22:00.000Z',
    'not a date',
    'pro',
    'Ada Lovelace',
    'https://app.example.com/a?x=1&y="2"',
    'mailto:a@example.com',
    'javascript:alert(1)',
    ' javascript:alert(1)',
    '1234.5',
    'a,b,c',
  ),
  fc.integer(),
  fc.double(),
  fc.constantFrom(true, false, null, undefined),
);

interface Loaded {
  Component: ComponentType<Record<string, unknown>>;
  subject: unknown;
  compiled: CompiledReactTemplate;
}

async function load(file: string, name: string): Promise<Loaded> {
  const t = await loadTemplate(file, name);
  return { Component: t.exports.default as ComponentType<Record<string, unknown>>, subject: t.exports.subject, compiled: await compileReactTemplate(t) };
}

/** The fill, when it takes the props, gives render's bytes, its text and the template's subject. Returns whether it filled. */
async function sameAsRender({ Component, subject, compiled }: Loaded, props: Record<string, unknown>): Promise<boolean> {
  assert.ok(compiled.ok);
  const filled = compiled.fill(props);
  let theirs: string | undefined;
  try {
    theirs = await render(createElement(Component, { ...props }));
  } catch {
    theirs = undefined;
  }
  if (!filled) return false;
  assert.notEqual(theirs, undefined, 'the fill gave an email where React throws');
  assert.equal(filled.html, theirs);
  assert.equal(filled.text, htmlToPlainText(theirs!));
  if (typeof subject === 'function') assert.equal(filled.subject, String((subject as (p: unknown) => unknown)({ ...props })));
  return true;
}

async function holdsForAnyProps(loaded: Loaded, base: Record<string, unknown>): Promise<number> {
  let filled = 0;
  if (await sameAsRender(loaded, base)) filled++;
  await fc.assert(
    fc.asyncProperty(fc.dictionary(fc.constantFrom(...KEYS), value), async (props) => {
      if (await sameAsRender(loaded, { ...base, ...props })) filled++;
    }),
    { numRuns: 80 },
  );
  return filled;
}

const base = {
  name: 'Ada',
  first: 'Ada',
  last: 'Lovelace',
  lastActivity: '2026-02-10T14:22:00.000Z',
  activationLink: 'https://app.example.com/a?x=1&y=2',
  plan: 'pro',
  amount: '1234.5',
  count: 3,
  link: 'https://example.com/x',
  color: 'red',
  items: 'a,b',
};

test('the example templates: the simple ones compile, and their fills give React Email’s bytes for any props', async () => {
  const expected: Record<string, boolean> = {
    'hasura/emails/re_engagement.tsx': true,
    'nestjs-postgres-stripe/emails/re_engagement.tsx': true,
    'nestjs-postgres-stripe/emails/session_drop.tsx': false, // a value in <Preview>, which pads by its length
    'nextjs-upstash-clerk/emails/activation_welcome.tsx': true,
    'tidb/emails/re_engagement.tsx': true,
    'upstash/emails/activation_welcome.tsx': true,
  };
  const found = readdirSync(examplesDir, { recursive: true, encoding: 'utf8' }).filter((f) => /(^|\/)emails\/[^/]+\.tsx$/.test(f));
  assert.deepEqual(found.sort(), Object.keys(expected).sort());
  for (const [rel, compiles] of Object.entries(expected)) {
    const loaded = await load(join(examplesDir, rel), rel);
    assert.equal(loaded.compiled.ok, compiles, `${rel}: ${loaded.compiled.ok ? 'compiled' : loaded.compiled.reason}`);
    if (!compiles) continue;
    const filled = await holdsForAnyProps(loaded, base);
    assert.ok(filled > 10, `${rel}: the fill took ${filled} of 81 emails`);
  }
});

// name → [source, whether it compiles]
const TEMPLATES: Record<string, [string, boolean]> = {
  // A slot computed by comparing a prop with a built value: computed per email, so it compiles.
  built_comparison: [
    `import { Html, Body, Text } from '@react-email/components';
     export default function T({ name, first, last }) {
       const same = name === first + ' ' + last;
       return <Html><Body><Text>{same ? 'Hello again' : 'Hello'}, {name.length > 10 ? 'friend' : name}</Text></Body></Html>;
     }`,
    true,
  ],
  dates_and_numbers: [
    `import { Html, Body, Text, Heading } from '@react-email/components';
     const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' });
     export const subject = ({ amount }) => 'Your invoice: ' + money.format(Number(amount));
     export default function T({ amount, count, lastActivity }) {
       const day = new Date(lastActivity);
       return <Html><Body>
         <Heading>{money.format(Number(amount))}</Heading>
         <Text>{count} items, {Number(count) * 2} with the gift</Text>
         <p title={Number.isNaN(day.getTime()) ? 'never' : day.toISOString()}>Last: {Number.isNaN(day.getTime()) ? null : day.toUTCString()}</p>
       </Body></Html>;
     }`,
    true,
  ],
  href_value: [
    `import { Html, Body, Link, Button } from '@react-email/components';
     export default function T({ link, name }) {
       return <Html><Body><a href={link}>{name}</a> <Link href={link}>Open</Link> <Button href={link}>Go</Button></Body></Html>;
     }`,
    true,
  ],
  branch_on_prop: [
    `export default function T({ plan, name }) {
       return <html><body>{plan === 'pro' ? <b>{name}</b> : <i>{name}</i>}</body></html>;
     }`,
    false,
  ],
  early_return: [
    `export default function T(props) {
       if (props.plan === 'pro') return <p>pro</p>;
       return <p>{props.name}</p>;
     }`,
    false,
  ],
  map_over_items: [
    `export default function T({ items }) {
       return <ul>{String(items).split(',').map((i) => <li key={i}>{i}</li>)}</ul>;
     }`,
    false,
  ],
  style_value: [`export default function T({ color, name }) { return <p style={{ color }}>{name}</p>; }`, false],
  preview_value: [
    `import { Html, Preview } from '@react-email/components';
     export default function T({ name }) { return <Html><Preview>Hi {name}</Preview></Html>; }`,
    false,
  ],
  mutated_style: [
    `const s = { color: 'red' };
     export default function T({ color, name }) { s.color = color; return <p style={s}>{name}</p>; }`,
    false,
  ],
  local_component: [
    `function Box({ children }) { return <div className={String(children).length > 3 ? 'long' : 'short'}>{children}</div>; }
     export default function T({ name }) { return <Box>{name}</Box>; }`,
    false,
  ],
  spread_props: [`export default function T(props) { return <p {...props}>{props.name}</p>; }`, false],
  tag_from_prop: [
    `import { Heading } from '@react-email/components';
     export default function T({ plan, name }) { return <Heading as={plan}>{name}</Heading>; }`,
    false,
  ],
  event_handler: [`export default function T({ name }) { return <p onClick={name}>{name}</p>; }`, false],
  inner_html: [`export default function T({ name }) { return <div dangerouslySetInnerHTML={{ __html: name }} />; }`, false],
};

test('templates that branch, map, format, compare with built values, or use href and style: compiled only when sound, and then React’s bytes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-react-fill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, [source, compiles]] of Object.entries(TEMPLATES)) {
    writeFileSync(join(dir, `${name}.tsx`), source);
    const loaded = await load(join(dir, `${name}.tsx`), name);
    assert.equal(loaded.compiled.ok, compiles, `${name}: ${loaded.compiled.ok ? 'compiled' : loaded.compiled.reason}`);
    if (compiles) assert.ok((await holdsForAnyProps(loaded, base)) > 0, `${name}: the fill never took the props`);
  }
});

test('an href the fill cannot vouch for (javascript:, relative) renders with React', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-react-fill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'href.tsx'), TEMPLATES.href_value![0]);
  const loaded = await load(join(dir, 'href.tsx'), 'href');
  assert.ok(loaded.compiled.ok);
  for (const link of ['javascript:alert(1)', '/relative', '']) assert.equal(loaded.compiled.fill({ link, name: 'Ada' }), undefined, link);
  for (const name of ['', null, true, '\u0000']) assert.equal(loaded.compiled.fill({ link: 'https://x.example', name }), undefined, String(name));
  assert.ok(loaded.compiled.fill({ link: 'https://x.example', name: 7 }));
});

test('the sentinel proof refuses a component whose output depends on a value beyond the value itself', async () => {
  const prove = (skeleton: (v: unknown[]) => ReactElement) => proveReactTemplate({ skeleton, slots: [{ kind: 'text', url: false }], render: renderReactEmail });
  // <Preview> pads the text to 150 characters: the padding's length depends on the value's.
  const padded = await prove((v) => createElement('html', null, createElement('body', null, createElement(Preview, null, v[0] as string))));
  assert.equal(padded.ok, false);
  // A component that upper-cases, or repeats, the value.
  assert.equal((await prove((v) => createElement('p', null, String(v[0]).toUpperCase()))).ok, false);
  assert.equal((await prove((v) => createElement('p', null, v[0] as string, v[0] as string))).ok, false);
  // One that branches on the value's length (sentinels of different lengths take different branches).
  assert.equal((await prove((v) => createElement('p', null, String(v[0]).length > 12 ? 'long' : 'short', v[0] as string))).ok, false);
  // What passes: the value as text.
  const plain = await prove((v) => createElement('html', null, createElement('body', null, createElement(Text, null, 'Hi ', v[0] as string))));
  assert.ok(plain.ok);
  const fill = fillFrom({ ...plain, slots: [{ kind: 'text', url: false }] });
  assert.equal(
    fill(['<Ada & "Bob">'])!.html,
    await renderReactEmail(createElement('html', null, createElement('body', null, createElement(Text, null, 'Hi ', '<Ada & "Bob">')))),
  );
});
