/**
 * Every e2e step, in the order they run: the summary prints them all and e2e.test.ts asserts each
 * passed. Apart from harness.ts, which reads run.sh's arguments as it is imported.
 */
export const STEPS = [
  'workbench + extension activated',
  'diagnostic in the Problems panel',
  'quick fix removes the diagnostic',
  'completion from the skene server',
  'Copy Skene Prompt for Cursor → clipboard',
  'Plan Loops → email in the webview',
  'Restart Language Server → serving again',
  'Create skene.config.ts → starter for the stack',
  'Create in a project with seed/postgres → Plan Loops shows emails',
  'monorepo config (apps/api) → diagnostics + Plan Loops',
  '{ + Enter inside steps: [ → a newline, not a completion',
  'one syntax error, not two (TypeScript only, no SKN006)',
  'language server peak memory under 300 MB',
] as const;
