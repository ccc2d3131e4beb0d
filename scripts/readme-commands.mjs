// Prints the shell commands the README gives under a heading: the contents of its ```sh blocks,
// up to the next heading of the same or a higher level. `.ci/run` runs exactly these, so the
// README's set-up and test commands cannot drift from what CI proves.
//   node scripts/readme-commands.mjs "Set up and run" [README.md]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const SHELL = new Set(['', 'sh', 'bash', 'shell', 'console']);

export function readmeCommands(markdown, heading) {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ +/, '').trim() === heading);
  if (start === -1) throw new Error(`no heading "${heading}"`);
  const level = /^#+/.exec(lines[start])[0].length;
  const blocks = [];
  let fence;
  for (const line of lines.slice(start + 1)) {
    if (!fence) {
      const heading = /^(#{1,6}) /.exec(line);
      if (heading && heading[1].length <= level) break;
      const open = /^(```+|~~~+)\s*([\w-]*)\s*$/.exec(line);
      if (open) fence = { marker: open[1], shell: SHELL.has(open[2].toLowerCase()), lines: [] };
    } else if (line.startsWith(fence.marker) && line.trim() === fence.marker) {
      if (fence.shell) blocks.push(fence.lines.join('\n'));
      fence = undefined;
    } else {
      fence.lines.push(line);
    }
  }
  if (!blocks.length) throw new Error(`no shell block under "${heading}"`);
  return `${blocks.join('\n')}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [heading, file = new URL('../README.md', import.meta.url).pathname] = process.argv.slice(2);
  if (!heading) {
    process.stderr.write('usage: node scripts/readme-commands.mjs <heading> [README.md]\n');
    process.exit(2);
  }
  try {
    process.stdout.write(readmeCommands(readFileSync(file, 'utf8'), heading));
  } catch (error) {
    process.stderr.write(`readme-commands: ${file}: ${error.message}\n`);
    process.exit(1);
  }
}
