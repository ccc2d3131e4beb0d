import { DURATION_PATTERN } from '@skene/sdk';
import type { RuleContext } from '../context.js';

/** SKN005: right type, wrong value — an empty string or list, a number out of range, a malformed id. */
export function invalidValue(ctx: RuleContext): void {
  for (const { issue, node } of ctx.schemaIssues()) {
    if (!node) continue;
    const key = String(issue.path[issue.path.length - 1] ?? 'value');
    if (issue.code === 'too_small' || issue.code === 'too_big') {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const what =
        issue.origin === 'array'
          ? `at least ${bound} item${Number(bound) === 1 ? '' : 's'}`
          : issue.origin === 'string'
            ? 'a non-empty text'
            : issue.code === 'too_small'
              ? `at least ${bound}`
              : `at most ${bound}`;
      const phrase = issue.origin === 'array' ? `'${key}' needs ${what}.` : `'${key}' must be ${what}.`;
      ctx.report('SKN005', node.range, phrase);
    } else if (issue.code === 'invalid_format' && !(issue.format === 'regex' && issue.pattern === String(DURATION_PATTERN))) {
      // durations have their own rule (SKN012) with the accepted forms.
      ctx.report('SKN005', node.range, `Invalid ${key}: ${issue.message}.`);
    } else if (issue.code === 'custom') {
      ctx.report('SKN005', node.range, issue.message);
    }
  }
}
