/**
 * Recipients are personal data and plans land in pull-request comments: unless the user asks
 * (`--show-recipients`), every recipient address becomes `j***@example.com` wherever it appears
 * in the report (the `to` field, props, subject, the rendered body).
 */
import type { PlanReport } from './model.js';

const ADDRESS = /[^\s@<>(),;:"']+@[^\s@<>(),;:"']+\.[^\s@<>(),;:"']+/;

/** `jane@example.com` → `j***@example.com`; `Jane <jane@example.com>` → `Jane <j***@example.com>`. */
export function maskAddress(address: string): string {
  return address.replace(new RegExp(ADDRESS.source, 'g'), (a) => {
    const at = a.lastIndexOf('@');
    return `${a.slice(0, 1)}***${a.slice(at)}`;
  });
}

export function maskRecipients(report: PlanReport): PlanReport {
  if (report.recipients === 'masked') return report;
  const loops = report.loops.map((loop) => ({
    ...loop,
    steps: loop.steps.map((step) => ({
      ...step,
      emails: step.emails.map((email) => {
        const addresses = [...new Set((email.to.match(new RegExp(ADDRESS.source, 'g')) ?? []) as string[])];
        const hide = (text: string) => addresses.reduce((t, a) => t.split(a).join(maskAddress(a)), text);
        return {
          ...email,
          to: maskAddress(email.to),
          ...(email.subject !== undefined ? { subject: hide(email.subject) } : {}),
          props: Object.fromEntries(Object.entries(email.props).map(([k, v]) => [k, hide(v)])),
          ...(email.html !== undefined ? { html: hide(email.html) } : {}),
          ...(email.text !== undefined ? { text: hide(email.text) } : {}),
          problems: email.problems.map(hide),
        };
      }),
    })),
  }));
  return { ...report, recipients: 'masked', loops };
}
