import { bundledCheckCommand } from './check-bundle.js';
import { EXIT, UsageError, type CliIO } from './io.js';
import { packageVersion } from './version.js';

export type { CliIO } from './io.js';

export interface Command {
  name: string;
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/**
 * Every command, in the order `skene --help` lists them. Each lives in commands/<name>.ts and is
 * loaded only when run: `skene check` should not pay for the plan engine's database drivers.
 */
const commands: { name: string; summary: string; load: () => Promise<Command> }[] = [
  {
    name: 'init',
    summary: 'Write a starter skene.config.ts, email template and seed for this project',
    load: async () => (await import('./commands/init.js')).initCommand,
  },
  { name: 'login', summary: 'Verify and store your Resend API key', load: async () => (await import('./commands/login.js')).loginCommand },
  { name: 'prompt', summary: 'Print the Cursor prompt for the detected stack', load: async () => (await import('./commands/prompt.js')).promptCommand },
  {
    name: 'check',
    summary: 'Validate skene.config.ts without running it',
    load: async () => bundledCheckCommand() ?? (await import('./commands/check.js')).checkCommand,
  },
  { name: 'plan', summary: 'Dry-run every loop and show the emails it would send', load: async () => (await import('./commands/plan.js')).planCommand },
  { name: 'migrate', summary: 'Install change capture (PostgreSQL)', load: async () => (await import('./commands/migrate.js')).migrateCommand },
  { name: 'run', summary: 'Send what the plan shows, each email exactly once', load: async () => (await import('./commands/run.js')).runCommand },
  { name: 'status', summary: 'Show what the runner has sent, waits for and failed', load: async () => (await import('./commands/status.js')).statusCommand },
  { name: 'resume', summary: 'Resume a loop paused by a quota or its hourly cap', load: async () => (await import('./commands/resume.js')).resumeCommand },
];

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${packageVersion('skene')}\n`);
    return EXIT.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`skene: unknown command '${name}'. Commands: ${commands.map((c) => c.name).join(', ')}.\n`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`skene ${name}: ${error.message}\n\n${command.usage}\n`);
      return EXIT.usage;
    }
    // Never a stack trace for the user: one line, and how to get more.
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`skene ${name}: ${message}\n`);
    if (io.env.SKENE_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return EXIT.errors;
  }
}

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'skene — growth loops as code',
    '',
    'Usage: skene <command> [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `skene <command> --help` for a command's options.",
    '',
  ].join('\n');
}
