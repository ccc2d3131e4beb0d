/** The starter's email templates: plain HTML with `{{key}}` placeholders (the personalization). */

export interface StarterTemplate {
  name: string;
  html: string;
}

function html(title: string, paragraphs: string[]): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '  <head>',
    '    <meta charset="utf-8">',
    `    <title>${title}</title>`,
    '  </head>',
    '  <body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; line-height: 1.5; color: #111;">',
    ...paragraphs.map((p) => `    <p>${p}</p>`),
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

const welcome = (paragraphs: string[]): StarterTemplate => ({ name: 'welcome', html: html('Welcome, {{name}}', ['Hi {{name}},', ...paragraphs]) });
const reEngagement = (paragraphs: string[]): StarterTemplate => ({
  name: 're_engagement',
  html: html('We saved your place, {{name}}', ['Hi {{name}},', ...paragraphs]),
});

export const SQL_WELCOME = welcome([
  'Thanks for signing up. The quickest way to see what the app can do is to create your first project — it takes a minute.',
  'Reply to this email if anything gets in the way.',
]);

export const sqlReEngagement = (lastActivity: boolean) =>
  reEngagement([
    lastActivity ? 'We have not seen you since {{lastActivity}}. Everything you set up is still there.' : 'Everything you set up is still there.',
    'Pick up where you left off — and reply to this email if something got in the way.',
  ]);

export const REDIS_WELCOME = welcome([
  'Thanks for signing up — your first project is the quickest way to see what the app can do.',
  'Reply to this email if anything gets in the way.',
]);
export const REDIS_RE_ENGAGEMENT = reEngagement([
  'Everything you set up is still there. Pick up where you left off — and reply to this email if something got in the way.',
]);
