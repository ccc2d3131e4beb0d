/**
 * Puts the read-only guard's findings of a plan at their place in the config — `file:line:column`,
 * exactly where `skene check` puts the same code — by reading the config's text statically (the
 * same TypeScript parse the checker uses). A loop computed at run time has no place: its finding
 * keeps the code and says so in the message only.
 */
import { readFile } from 'node:fs/promises';
import { RuleContext } from '../analysis/context.js';
import { parseConfigDocument } from '../analysis/document.js';
import { sourceOffset, stringAt, valueOf } from '../analysis/values.js';
import type { PlanReport } from '../report/model.js';

export async function locateGuardFindings(report: PlanReport, configFile: string): Promise<void> {
  const steps = report.loops.flatMap((loop, loopIndex) => loop.steps.map((step) => ({ loopIndex, step })));
  if (!steps.some(({ step }) => step.warnings?.length || step.errors.some((e) => e.offset !== undefined))) return;
  const text = (await readFile(configFile, 'utf8').catch(() => '')).replace(/^\uFEFF/, '');
  const document = parseConfigDocument(text, configFile);
  const entries = new RuleContext(document, 'postgres', {}).steps();
  const place = (loopIndex: number, stepNo: number, offset: number): string | undefined => {
    const entry = entries.find((e) => e.loopIndex === loopIndex && e.stepIndex === stepNo - 1);
    const query = stringAt(entry?.condition, 'query');
    const command = valueOf(entry?.condition, 'command');
    const at = query ? sourceOffset(query, offset) : command?.kind === 'array' && command.items[0] ? command.items[0].range.start : undefined;
    if (at === undefined) return undefined;
    const { line, character } = document.lines.position(at);
    return `${report.config}:${line + 1}:${character + 1}`;
  };
  for (const { loopIndex, step } of steps) {
    for (const error of step.errors) {
      if (error.offset === undefined) continue;
      const location = place(loopIndex, error.step, error.offset);
      if (location) error.location = location;
      delete error.offset;
    }
    for (const warning of step.warnings ?? []) {
      const location = place(loopIndex, step.step, warning.offset);
      report.warnings.push(`${location ? `${location} ` : ''}${warning.code} ${report.loops[loopIndex]!.id} step ${step.step}: ${warning.message}`);
    }
    delete step.warnings;
  }
}
