/**
 * `/unsubscribe/<token>` on `skene run --listen`: the link every non-transactional email carries
 * (plan/unsubscribe.ts). RFC 8058's one-click is a POST (a mail client's "Unsubscribe" button
 * posts `List-Unsubscribe=One-Click`): it records the suppression and answers 200. A GET only
 * shows a page with the button — mail scanners and link previews fetch links, and must never
 * unsubscribe anyone. A token that does not verify (forged, altered, another secret) is a 403 and
 * records nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ALL_LOOPS, verifyUnsubscribeToken } from '../plan/unsubscribe-token.js';
import { answerPage, escapeHtml, readBody } from './listen-http.js';
import type { RunStateStore } from './state-store.js';

/** A form body is a line or two: anything larger is not one. */
const MAX_FORM_BYTES = 4096;

export interface UnsubscribeEndpoint {
  /** SKENE_UNSUBSCRIBE_SECRET: without it every link is refused (503). */
  secret?: string;
  store: Pick<RunStateStore, 'suppress'>;
  log?: (line: string) => void;
}

const page = (title: string, body: string) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>` +
  `<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}button{font:inherit;padding:.5rem 1rem;margin:.25rem 0;cursor:pointer}</style>` +
  `</head><body><h1>${title}</h1>${body}</body></html>`;

const scopeText = (scope: string) => (scope === ALL_LOOPS ? 'all emails' : `the “${escapeHtml(scope)}” emails`);

/** Handles `/unsubscribe/<token>`; false when the path is another. */
export async function handleUnsubscribe(endpoint: UnsubscribeEndpoint, request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
  const match = /^\/unsubscribe\/([^/]*)\/?$/.exec(path);
  if (!match) return false;
  if (request.method !== 'GET' && request.method !== 'POST') {
    response.writeHead(405, { allow: 'GET, POST' }).end();
    return true;
  }
  if (!endpoint.secret) {
    answerPage(response, 503, page('Unsubscribe is not available', '<p>This sender has not configured unsubscribe links yet (SKENE_UNSUBSCRIBE_SECRET).</p>'));
    return true;
  }
  const subject = verifyUnsubscribeToken(endpoint.secret, match[1]!);
  if (!subject) {
    endpoint.log?.('unsubscribe: refused a link that does not verify');
    answerPage(response, 403, page('This link is not valid', '<p>It may have been altered or cut short. Use the unsubscribe link from the email itself.</p>'));
    return true;
  }
  if (request.method === 'GET') {
    // One button posts the link's own scope, as a mail client's one-click does; the other every loop.
    const button = (label: string, extra: string) =>
      `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">${extra}<button type="submit">${label}</button></form>`;
    const forAll = subject.scope === ALL_LOOPS ? '' : button('Unsubscribe from all emails', '<input type="hidden" name="scope" value="all">');
    answerPage(
      response,
      200,
      page(
        'Unsubscribe',
        `<p>Stop sending ${scopeText(subject.scope)} to <strong>${escapeHtml(subject.address)}</strong>?</p>${button('Unsubscribe', '')}${forAll}`,
      ),
    );
    return true;
  }
  const body = (await readBody(request, MAX_FORM_BYTES)) ?? '';
  const scope = new URLSearchParams(body).get('scope') === 'all' ? ALL_LOOPS : subject.scope;
  const recorded = await endpoint.store.suppress({ address: subject.address, scope, reason: 'unsubscribed', source: 'link' });
  endpoint.log?.(`unsubscribe: ${subject.address} from ${scope === ALL_LOOPS ? 'every loop' : scope}${recorded ? '' : ' (recorded before)'}`);
  answerPage(response, 200, page('You are unsubscribed', `<p><strong>${escapeHtml(subject.address)}</strong> will not get ${scopeText(scope)} any more.</p>`));
  return true;
}
