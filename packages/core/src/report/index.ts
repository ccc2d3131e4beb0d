export * from './model.js';
export { renderText, plural, type TextOptions } from './text.js';
export { renderMarkdown, GITHUB_COMMENT_LIMIT, GITHUB_SUMMARY_LIMIT, type MarkdownOptions } from './markdown.js';
export { renderJson } from './json.js';
export { maskRecipients, maskAddress } from './mask.js';
export { compareReports, parseBaseReport } from './compare.js';
