import { replaceString, type RuleContext } from '../context.js';
import type { Fix } from '../diagnostics.js';
import { didYouMean } from '../suggest.js';
import { stringAt, valueOf } from '../values.js';

/** SKN030: `template` names no `emails/<name>.tsx|.jsx|.html` beside the config. */
export function templateNotFound(ctx: RuleContext): void {
  const templates = ctx.project.templates;
  if (!templates) return;
  const names = [...templates.keys()];
  for (const { action } of ctx.steps()) {
    const template = stringAt(action, 'template');
    if (!template || !template.value || templates.has(template.value)) continue;
    const suggestion = didYouMean(template.value, names);
    const personalization = valueOf(action, 'personalization');
    const props = personalization?.kind === 'object' ? personalization.properties.map((p) => p.key) : [];
    const fixes: Fix[] = [];
    if (suggestion)
      fixes.push({ title: `Change to '${suggestion}'`, edits: [{ range: template.range, newText: replaceString(template, ctx.doc.text, suggestion) }] });
    if (/^[\w-]+$/.test(template.value)) {
      fixes.push({
        title: `Create emails/${template.value}.tsx`,
        edits: [],
        createFile: { path: `emails/${template.value}.tsx`, content: starterTemplate(template.value, props) },
      });
    }
    const known = names.length ? ` Templates in emails/: ${names.map((n) => `'${n}'`).join(', ')}.` : ' There is no emails/ folder beside the config yet.';
    ctx.report(
      'SKN030',
      template.range,
      `Email template '${template.value}' not found: expected emails/${template.value}.tsx, .jsx or .html beside the config.${suggestion ? ` Did you mean '${suggestion}'?` : known}`,
      fixes,
    );
  }
}

/** A React Email component whose props are the action's personalization keys. */
export function starterTemplate(name: string, props: string[]): string {
  const component = name.replace(/(^|[_-])(\w)/g, (_, __, c: string) => c.toUpperCase()).replace(/\W/g, '') || 'Email';
  const typed = props.length ? `{ ${props.join(', ')} }: { ${props.map((p) => `${p}?: string`).join('; ')} }` : '_props: Record<string, string>';
  const body = props.map((p) => `        <p>${p}: {${p}}</p>`).join('\n') || '        <p>Hello!</p>';
  return `// The ${name} email. Props are the personalization keys of the loop step that sends it.
export const subject = '${name.replace(/[_-]/g, ' ')}';

export default function ${component}(${typed}) {
  return (
    <html>
      <body>
${body}
      </body>
    </html>
  );
}
`;
}
