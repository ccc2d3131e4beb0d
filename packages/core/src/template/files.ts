/** Email template files: `emails/<name>` with one of these extensions, in order of preference. */
export const TEMPLATE_EXTENSIONS = ['.tsx', '.jsx', '.html'] as const;
