/**
 * renderReactEmail stands in for `@react-email/render`'s `render`: for every example template,
 * for any props, and for the cases it hands back to React Email (images, NUL characters), the
 * bytes must be the same. Errors must still reject.
 */
import '../../src/email/react-production.js'; // the React build renders use, chosen before React loads
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { createElement, type ComponentType } from 'react';
import { render } from '@react-email/render';
import { renderReactEmail } from '../../src/email/react-render.js';
import { loadTemplate } from '../../src/email/compile.js';

const examplesDir = fileURLToPath(new URL('../../../../examples', import.meta.url));
const exampleTemplates = readdirSync(examplesDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => /(^|\/)emails\/[^/]+\.tsx$/.test(f))
  .sort();

async function component(file: string, name: string): Promise<ComponentType<Record<string, unknown>>> {
  return (await loadTemplate(file, name)).exports.default as ComponentType<Record<string, unknown>>;
}

/** Both renders, compared: the same bytes, or the same error (a template may throw for odd props). */
async function same(Component: ComponentType<Record<string, unknown>>, props: Record<string, unknown>): Promise<string> {
  const outcome = (p: Promise<string>) =>
    p.then(
      (html) => ({ html }),
      (error: Error) => ({ error: String(error?.message ?? error) }),
    );
  const ours = await outcome(renderReactEmail(createElement(Component, props)));
  const theirs = await outcome(render(createElement(Component, props)));
  assert.deepEqual(ours, theirs);
  return 'html' in ours ? ours.html : '';
}

// Values that stress escaping and encoding: markup, quotes, entities, non-Latin text, emoji,
// lone surrogates, whitespace runs, NUL.
const value = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('Zoë <O\'Brien> & "Co"', '&amp;&#39;', '', ' ', '日本語 テキスト', '👩🏽‍💻', '\ud800x', 'a\u0000b', '2026-02-10T14:22:00.000Z', 'not a date'),
);

test("every example template renders to React Email's bytes, for any props", async () => {
  assert.ok(exampleTemplates.length >= 5, `found ${exampleTemplates.length} example templates`);
  for (const rel of exampleTemplates) {
    const file = join(examplesDir, rel);
    const Component = await component(file, rel.replace(/^.*\/|\.tsx$/g, ''));
    const html = await same(Component, {
      name: 'Ada',
      lastActivity: '2026-02-10T14:22:00.000Z',
      activationLink: 'https://app.example.com/a?x=1&y=2',
      plan: 'pro',
      sessionsLastWeek: '1',
      sessionsPreviousWeek: '10',
      lastAction: 'invoice_downloaded',
    });
    assert.match(html, /^<!DOCTYPE html PUBLIC "-\/\/W3C\/\/DTD XHTML 1\.0 Transitional\/\/EN"/);
    assert.doesNotMatch(html, /<link\b/i, 'the examples take the fast path, not the hand-back to React Email');
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('name', 'lastActivity', 'activationLink', 'plan', 'sessionsLastWeek', 'sessionsPreviousWeek', 'lastAction'), value),
        async (props) => {
          await same(Component, props);
        },
      ),
      { numRuns: 60 },
    );
  }
});

test('images, suspended parts and NUL characters: the same bytes (React Email rewrites what needs it)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-react-render-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, source: string) => {
    writeFileSync(join(dir, `${name}.tsx`), source);
    return component(join(dir, `${name}.tsx`), name);
  };
  // <Img> makes React add an image preload <link> to the head, which React Email removes: so does
  // the fast path (the component runs once), for every attribute React puts on one.
  const WithImage = await write(
    'with_image',
    `import { Html, Head, Body, Img, Text } from '@react-email/components';
     export default function WithImage({ name, src }) {
       globalThis.__skeneImageRenders = (globalThis.__skeneImageRenders ?? 0) + 1;
       return <Html><Head /><Body>
         <Img src="https://cdn.example.com/logo.png" alt="Logo" width="48" height="48" />
         <img src={src} srcSet={src + ' 1x, ' + src + '?2 2x'} sizes="100vw" fetchPriority="high" crossOrigin="anonymous" referrerPolicy="no-referrer" />
         <Text>Hi {name}</Text>
       </Body></Html>;
     }`,
  );
  const renders = () => (globalThis as { __skeneImageRenders?: number }).__skeneImageRenders ?? 0;
  for (const src of ['https://cdn.example.com/a.png?x=1&y="2"', 'b.png', '<b>.png']) {
    const before = renders();
    const ours = await renderReactEmail(createElement(WithImage, { name: 'Ada', src }));
    assert.equal(renders() - before, 1, 'rendered once: the preloads are removed without React Email');
    assert.equal(ours, await render(createElement(WithImage, { name: 'Ada', src })));
    assert.doesNotMatch(ours, /rel="preload"/);
    assert.match(ours, /<img/);
  }
  // Links React did not write as image preloads: React Email decides, and the bytes still agree.
  const OtherLinks = await write(
    'other_links',
    `export default function OtherLinks({ name }) {
       return <html><head><link rel="stylesheet" href="s.css" /><link as="image" rel="preload" href="x.png" /></head>
         <body><div dangerouslySetInnerHTML={{ __html: '<LINK REL="preload" AS="image" HREF="y.png">' + name }} /></body></html>;
     }`,
  );
  assert.match(await same(OtherLinks, { name: 'Ada' }), /s\.css/);

  // A component that suspends on a promise: both wait for it.
  const Suspends = await write(
    'suspends',
    `import { use } from 'react';
     import { Html, Body, Text } from '@react-email/components';
     const cache = new Map();
     function Later({ name }) {
       if (!cache.has(name)) cache.set(name, new Promise((r) => setTimeout(() => r('later ' + name), 5)));
       return <Text>{use(cache.get(name))}</Text>;
     }
     export default function Suspends({ name }) { return <Html><Body><Later name={name} /></Body></Html>; }`,
  );
  assert.match(await same(Suspends, { name: 'Ada' }), /later Ada/);

  // NUL in a value: handed to React Email whole.
  const Plain = await write('plain', `export default function Plain({ name }) { return <html><body><p>{name}</p></body></html>; }`);
  assert.match(await same(Plain, { name: 'a\u0000b' }), /a\u0000b/);
});

test('a component that throws rejects, as React Email does', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skene-react-render-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'boom.tsx'),
    `export default function Boom({ name }) { if (!name.startsWith('ok')) throw new Error('no ' + name); return <p>{name}</p>; }`,
  );
  const Boom = await component(join(dir, 'boom.tsx'), 'boom');
  await assert.rejects(renderReactEmail(createElement(Boom, { name: 'Ada' })), /no Ada/);
  await assert.rejects(render(createElement(Boom, { name: 'Ada' })), /no Ada/);
  assert.equal(await renderReactEmail(createElement(Boom, { name: 'ok' })), await render(createElement(Boom, { name: 'ok' })));
});
