export {
  interpolate,
  escapeHtml,
  formatValue,
  lookupPath,
  replacePlaceholders,
  compilePlaceholders,
  contextResolver,
  type CompiledPlaceholders,
} from './interpolate.js';
export type { TemplateContext, TemplateRow, InterpolationResult } from './interpolate.js';
export { renderEmail, prepareRenderer, findTemplate, listTemplates, createRenderSession, type RenderSession } from './render.js';
export type { RenderEmailOptions, RenderedEmail, EmailRenderer, TemplateFile } from './render.js';
export { resolveAddresses, isValidAddress, DEFAULT_TO } from './addresses.js';
export type { ResolveAddressesInput, ResolvedAddresses, AddressProblem } from './addresses.js';
export { EmailTemplateError } from './errors.js';
export type { EmailTemplateErrorCode, EmailTemplateErrorDetails } from './errors.js';
export { templateCompileCount, clearTemplateCache } from './compile.js';
