import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LOOP_TYPES } from '@skene/sdk';
import { detectStack, patternLabel, plural, starterDependencies, starterProject, starterWrites, type SkeneVersions } from '@skene/core';
import { EXIT, type CliIO } from '../io.js';
import type { Command } from '../main.js';
import { parse, parsePattern, projectDir } from './prompt.js';
import { packageVersion } from '../version.js';

export const initCommand: Command = {
  name: 'init',
  usage: `Usage: skene init [dir] [--pattern ${LOOP_TYPES.join('|')}] [--force]

  dir         the project folder (default: the current folder)
  --pattern   the loop pattern (default: from the stack, as \`skene prompt\` says)
  --force     overwrite files that already exist

Writes skene.config.ts, one template in emails/, seed data in skene/ (seed.sql, or seed.redis for
Redis stacks) and .cursor/rules/skene.mdc, and adds skene and @skene/sdk to package.json's
devDependencies (with no package.json, it prints the command that installs them). Files that
exist are kept (the project's own) unless --force; a folder that has a skene.config.ts gets
nothing without --force.
Exit status: 0 written, 1 skene.config.ts exists (nothing written), 2 bad usage.`,
  async run(args, io: CliIO) {
    const { values, positionals } = parse(args, { force: { type: 'boolean' } });
    const dir = projectDir(positionals, io);
    const pattern = parsePattern(values.pattern);
    const detection = detectStack(dir, { pattern });
    const starter = starterProject(detection, { pattern });

    // Core decides what to write (the editor's "Create skene.config.ts" follows the same policy).
    const plan = starterWrites(dir, starter.files, { force: values.force === true, seed: { path: starter.seed, dialect: starter.dialect } });
    if (plan.blocked) {
      const existing = starter.files.filter((f) => existsSync(join(dir, ...f.path.split('/'))));
      io.stderr(
        `skene init: ${existing.map((f) => f.path).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written. Run \`skene init --force\` to overwrite ${existing.length === 1 ? 'it' : 'them'}.\n`,
      );
      return EXIT.errors;
    }
    // Core also decides what the project's package.json lacks: the config imports @skene/sdk.
    const deps = starterDependencies(dir, { versions: skeneVersions(), manager: detection.packageManager });
    const written = deps.write ? [...plan.write, deps.write] : plan.write;
    for (const file of written) {
      const path = join(dir, ...file.path.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
    }

    const out: string[] = [];
    if (detection.empty) out.push(`No stack detected in ${dir}: wrote a generic PostgreSQL starter (\`skene plan\` runs it on an embedded PostgreSQL).`);
    else out.push(`Detected ${detection.stack}: ${patternLabel(starter.pattern)} Loop pattern — ${detection.reason}`);
    out.push('', 'Wrote:');
    const width = Math.max(...[...starter.files, ...written].map((f) => f.path.length));
    for (const f of written) out.push(`  ${f.path.padEnd(width)}  ${f.description}${plan.overwritten.includes(f.path) ? ' (overwritten)' : ''}`);
    if (plan.kept.length) {
      out.push('', 'Kept:');
      for (const k of plan.kept) out.push(`  ${k.file.path.padEnd(width)}  ${k.reason}`);
    }
    out.push('', 'Next:');
    if (deps.install) out.push(`  ${deps.install}   (${deps.reason})`);
    // The project's own seed was kept: skene plan finds it beside the config, no --seed needed.
    const seedKept = plan.kept.some((k) => k.file.path === starter.seed && k.reason.startsWith('the project has a seed'));
    for (const step of starter.next) out.push(`  ${seedKept ? step.replace(` --seed ${starter.seed}`, '') : step}`);
    // The expected result is the starter seed's: a seed the project kept says nothing about it.
    if (plan.write.some((f) => f.path === starter.seed))
      out.push(
        `  With this seed, the plan at ${starter.at} has ${plural(starter.expected.emails, 'email')}${starter.expected.waiting ? ` and ${starter.expected.waiting} waiting` : ''}.`,
      );
    out.push('  Then edit skene.config.ts (Cursor: `npx skene prompt --copy`); keep skene/ in step with the loops.');
    io.stdout(`${out.join('\n')}\n`);
    return EXIT.ok;
  },
};

/** This skene's version and its @skene/sdk's, from their package.json files: the project gets `^` them. */
function skeneVersions(): SkeneVersions {
  return { skene: packageVersion('skene'), sdk: packageVersion('@skene/sdk') };
}
