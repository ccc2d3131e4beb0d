export * from './model.js';
export { renderText, type TextOptions } from './text.js';
export { totalsLine, wouldBeSent, type TotalsColors, type TotalsLineOptions } from './totals.js';
// From the root, so that a light bundle (the editor's host) can take it from report/ alone.
export { plural } from '../text.js';
export { renderMarkdown, markdownEscapers, GITHUB_COMMENT_LIMIT, GITHUB_SUMMARY_LIMIT, type MarkdownOptions } from './markdown.js';
export { renderJson } from './json.js';
export { createMasker, maskAddress, maskContextOf, maskOutput, maskStrings, type Masker, type MaskContext } from './mask.js';
export { escapeControls, maskRecipients, outputFinisher, sliceByCodePoint, wellFormed } from './output.js';
export { compareReports, emailDigests, parseBaseReport } from './compare.js';
export { renderHtml, HTML_REPORT_CSP, type HtmlOptions } from './html.js';
