/** Why an email template could not be rendered. Always names the template and its file. */
export type EmailTemplateErrorCode =
  | 'template-not-found'
  | 'invalid-template-name'
  | 'compile-error'
  | 'load-error'
  | 'no-default-export'
  | 'component-threw'
  | 'subject-threw'
  /** An email (or the template's module) did not finish within the render deadline. */
  | 'render-timeout';

export interface EmailTemplateErrorDetails {
  code: EmailTemplateErrorCode;
  /** The template name as written in the action (`activation_welcome`). */
  template: string;
  /** The template file (absolute), or the file where the problem is (e.g. an imported component). For "not found": the emails folder. */
  file: string;
  /** 1-based position of a compile error. */
  line?: number;
  column?: number;
  /** For "not found": the templates that do exist (names without extension). */
  available?: string[];
  cause?: unknown;
}

export class EmailTemplateError extends Error {
  readonly code: EmailTemplateErrorCode;
  readonly template: string;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly available?: string[];

  constructor(message: string, details: EmailTemplateErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'EmailTemplateError';
    this.code = details.code;
    this.template = details.template;
    this.file = details.file;
    if (details.line !== undefined) this.line = details.line;
    if (details.column !== undefined) this.column = details.column;
    if (details.available !== undefined) this.available = details.available;
  }

  /** `file:line:column` when the position is known, else the file. */
  get location(): string {
    return this.line === undefined ? this.file : `${this.file}:${this.line}:${this.column ?? 1}`;
  }
}
