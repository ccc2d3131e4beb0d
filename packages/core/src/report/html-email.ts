/**
 * The HTML report's pieces that hold user content: the escapers, and one email's card (its
 * headers, its HTML in two sandboxed frames — desktop and mobile width — and its plain text).
 *
 * Emails are user content, and so are subjects, names, keys and reasons: every value is masked
 * (`finish`) first and then escaped for where it lands. An email's HTML goes into a `srcdoc`
 * attribute of an `<iframe sandbox="">`: no scripts, no forms, no popups, an opaque origin. The
 * page's Content-Security-Policy is inherited by the frames (and repeated inside each), so an
 * email's remote images, fonts and stylesheets are not fetched: opening the page makes no request.
 */
import type { PlannedEmail } from './model.js';
import { escapeControls } from './output.js';

/** The page's policy: no script, no request; inline styles (the page's and the emails') and data: images only. */
export const HTML_REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'";

/** Email clients lay out for about 600 px; phones for about 375 px. */
export const DESKTOP_WIDTH = 640;
export const MOBILE_WIDTH = 375;
const FRAME_HEIGHT = 560;

/**
 * What each frame's document starts with: the policy again (a viewer that does not pass the page's
 * policy on to srcdoc frames still fetches nothing), and links that would open a new window, which
 * the sandbox refuses — so a click in an email does not navigate the frame away to the network.
 */
const FRAME_HEAD = `<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}"><base target="_blank">`;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or a double-quoted attribute value: the five characters that could end either. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

export type HtmlEscapers = ReturnType<typeof htmlEscapers>;

/** One escaper per context; each masks the value first (`finish`: well-formed, masked), then escapes it. */
export function htmlEscapers(finish: (text: string) => string) {
  return {
    /** A one-line value: control characters, line breaks and bidi overrides shown escaped (`\x1b`). */
    text: (value: string) => escapeHtml(escapeControls(finish(value))),
    /** A plain-text body in a <pre>: line breaks and tabs kept, other control characters shown escaped. */
    block: (value: string) =>
      escapeHtml(
        finish(value)
          .replace(/\r\n|\r/g, '\n')
          .split('\n')
          .map((line) => line.split('\t').map(escapeControls).join('\t'))
          .join('\n'),
      ),
    /** An email's HTML as a srcdoc attribute value (inside double quotes). */
    srcdoc: (html: string) => escapeHtml(FRAME_HEAD + finish(html)),
  };
}

export interface EmailCard {
  email: PlannedEmail;
  /** The element id (`e-<loop>-<step>-<n>`), for links to it. */
  anchor: string;
  e: HtmlEscapers;
}

/** One email: what a reviewer checks first (to, subject, problems), then the frames and the text. */
export function emailCard({ email, anchor, e }: EmailCard): string {
  const subject = email.subject !== undefined && email.subject !== '' ? e.text(email.subject) : '<em class="warn">(no subject)</em>';
  const rows = [
    ['To', e.text(email.to)],
    ['From', email.from ? e.text(email.from) : '<em class="warn">(no sender)</em>'],
    ['At', `<code>${e.text(email.at)}</code>`],
    ['Template', `<code>${e.text(email.template)}</code>`],
    ['Id', `<code>${e.text(email.id)}</code>`],
  ];
  const out = [`<article class="email" id="${anchor}">`, `<h4>${subject}</h4>`, `<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`];
  if (email.problems.length) out.push(`<ul class="problems">${email.problems.map((p) => `<li>⚠ ${e.text(p)}</li>`).join('')}</ul>`);
  if (email.html === undefined) {
    out.push('<p class="muted">Not rendered: the plan has no body for this email.</p>');
  } else {
    const title = `Email to ${e.text(email.to)}`;
    const srcdoc = e.srcdoc(email.html);
    const frame = (label: string, width: number) =>
      `<figure><figcaption>${label} · ${width} px</figcaption><iframe sandbox="" loading="lazy" referrerpolicy="no-referrer" width="${width}" height="${FRAME_HEIGHT}" title="${title} (${label.toLowerCase()})" srcdoc="${srcdoc}"></iframe></figure>`;
    out.push(
      '<div class="views">',
      frame('Desktop', DESKTOP_WIDTH),
      frame('Mobile', MOBILE_WIDTH),
      `<figure class="text"><figcaption>Plain text</figcaption><pre>${e.block(email.text ?? '')}</pre></figure>`,
      '</div>',
    );
  }
  out.push('</article>');
  return out.join('\n');
}

/** An email past the frames' cap: one row (recipient, subject, link-free id). */
export function emailRow(email: PlannedEmail, e: HtmlEscapers): string {
  const subject = email.subject !== undefined && email.subject !== '' ? e.text(email.subject) : '<em class="warn">(no subject)</em>';
  const problems = email.problems.length ? ` <span class="warn">⚠ ${email.problems.length}</span>` : '';
  return `<tr><td>${e.text(email.to)}</td><td>${subject}${problems}</td><td><code>${e.text(email.id)}</code></td></tr>`;
}

export const HTML_REPORT_STYLE = `
:root { color-scheme: light; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #f6f8fa; }
body { margin: 0 auto; padding: 20px; max-width: 1480px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; } h2 { margin: 40px 0 4px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
h3 { margin: 28px 0 4px; } h4 { margin: 0 0 8px; font-size: 1.05rem; }
code { font: 0.85em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eff1f3; padding: 1px 4px; border-radius: 4px; }
.muted { color: #59636e; } .warn { color: #9a6700; } .err { color: #d1242f; }
.totals { font-size: 1.1rem; font-weight: 600; }
.notice { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.error { background: #ffebe9; border: 1px solid #ff8182; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
table { border-collapse: collapse; margin: 12px 0; background: #fff; } th, td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.email { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 16px; margin: 16px 0; }
.email dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 8px; } .email dt { color: #59636e; } .email dd { margin: 0; overflow-wrap: anywhere; }
.problems { margin: 4px 0 8px; padding-left: 20px; color: #9a6700; }
.views { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
figure { margin: 0; } figcaption { font-size: 0.85rem; color: #59636e; margin-bottom: 4px; }
iframe { border: 1px solid #d0d7de; border-radius: 4px; background: #fff; display: block; }
.text pre { width: 300px; height: ${FRAME_HEIGHT - 18}px; overflow: auto; margin: 0; padding: 8px; border: 1px solid #d0d7de; border-radius: 4px; background: #fff; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.8rem; }
`;
