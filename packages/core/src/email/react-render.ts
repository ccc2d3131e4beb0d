/**
 * React Email's `render`, several times faster, byte for byte the same.
 *
 * `@react-email/render` renders the email with react-dom/server inside `<Suspense>` and reads
 * the result through a web stream (on Node, whenever `WritableStream` exists), which costs about
 * four times the rendering itself: a plan renders every recipient's email, so that is most of a
 * plan's time. Here the same renderer (Fizz, the same tree, all content awaited) is read from a
 * Node stream, and the document gets React Email's doctype the way React Email gives it.
 *
 * React Email also drops the image preloads React puts in the head for each `<img>`. Those are
 * removed here when they have exactly the form React writes; any other `<link>` (or a NUL
 * character) hands the email to React Email itself. test/email/react-render.test.ts holds both to
 * the same bytes.
 */
import './react-production.js'; // before React loads
import { Writable } from 'node:stream';
import { Suspense, createElement, type ReactElement } from 'react';
import { renderToPipeableStream } from 'react-dom/server';

/** The doctype React Email puts in place of React's. */
const XHTML_DOCTYPE = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">';
/**
 * An image preload as React writes it: `rel` and `as` first, then only the attributes React adds
 * to one, every value quoted (React escapes `"` and `>` in values). React Email's own test for
 * "an image preload" holds for each such tag, and for no tag this leaves behind.
 */
const REACT_IMAGE_PRELOAD =
  /<link rel="preload" as="image"(?: (?:href|imageSrcSet|imageSizes|crossorigin|fetchPriority|referrerPolicy|integrity|type|media|nonce)="[^">]*")*\/>/g;
const NEEDS_REACT_EMAIL = /<link\b|\0/i;

/** The email's HTML document, exactly as `@react-email/render`'s `render(element)` gives it. */
export async function renderReactEmail(element: ReactElement): Promise<string> {
  let html = await renderAll(element);
  if (html.includes('<link')) html = html.replace(REACT_IMAGE_PRELOAD, '');
  // Loaded only here: most emails never need it, and it is a large part of a render thread's start.
  if (NEEDS_REACT_EMAIL.test(html)) return (await import('@react-email/render')).render(element);
  return XHTML_DOCTYPE + html.replace(/<!DOCTYPE.*?>/, '');
}

/** React's HTML once everything (suspended parts too) has rendered; rejects on the first error. */
function renderAll(element: ReactElement): Promise<string> {
  return new Promise((resolve, reject) => {
    let html = '';
    const decoder = new TextDecoder();
    const stream = renderToPipeableStream(createElement(Suspense, null, element), {
      progressiveChunkSize: Number.POSITIVE_INFINITY,
      onAllReady() {
        const sink = new Writable({
          write(chunk: Uint8Array, _encoding, callback) {
            html += decoder.decode(chunk, { stream: true });
            callback();
          },
        });
        sink.on('finish', () => resolve(html + decoder.decode()));
        sink.on('error', reject);
        stream.pipe(sink);
      },
      onShellError: reject,
      onError: reject,
    });
  });
}
