/** Every rule, in reporting order. One file per diagnostic code; see docs/diagnostics.md. */
import type { RuleContext } from '../context.js';
import { captureUnwatchedTable } from './capture-unwatched-table.js';
import { conditionSource } from './condition-source.js';
import { duplicateId } from './duplicate-id.js';
import { invalidCron } from './invalid-cron.js';
import { invalidDuration } from './invalid-duration.js';
import { invalidEnum } from './invalid-enum.js';
import { invalidValue } from './invalid-value.js';
import { missingField } from './missing-field.js';
import { noLoops } from './no-loops.js';
import { noPerson } from './no-person.js';
import { notStatic } from './not-static.js';
import { redisCommandNotAllowed } from './redis-command-not-allowed.js';
import { placeholderMalformed } from './placeholder-malformed.js';
import { placeholderRoot } from './placeholder-root.js';
import { scheduleWithoutCondition } from './schedule-without-condition.js';
import { sqlDialect } from './sql-dialect.js';
import { sqlExecutableComment } from './sql-executable-comment.js';
import { sqlFunctionNotAllowed } from './sql-function-not-allowed.js';
import { sqlNotReadOnly } from './sql-not-read-only.js';
import { sqlParameter } from './sql-parameter.js';
import { sqlSyntax } from './sql-syntax.js';
import { syntaxError } from './syntax-error.js';
import { templateNotFound } from './template-not-found.js';
import { tidbDeleteTrigger } from './tidb-delete-trigger.js';
import { unknownColumn } from './unknown-column.js';
import { unknownKey } from './unknown-key.js';
import { unknownPeopleTable } from './unknown-people-table.js';
import { unknownTable } from './unknown-table.js';
import { unknownTimezone } from './unknown-timezone.js';
import { wrongType } from './wrong-type.js';

export type Rule = (ctx: RuleContext) => void;

export const RULES: Rule[] = [
  syntaxError,
  noLoops,
  unknownKey,
  missingField,
  wrongType,
  invalidEnum,
  invalidValue,
  notStatic,
  duplicateId,
  invalidCron,
  unknownTimezone,
  invalidDuration,
  sqlSyntax,
  sqlNotReadOnly,
  sqlFunctionNotAllowed,
  sqlExecutableComment,
  redisCommandNotAllowed,
  sqlParameter,
  sqlDialect,
  conditionSource,
  scheduleWithoutCondition,
  templateNotFound,
  placeholderMalformed,
  placeholderRoot,
  unknownTable,
  unknownColumn,
  unknownPeopleTable,
  noPerson,
  tidbDeleteTrigger,
  captureUnwatchedTable,
];

/**
 * The rules that look across loops or at the config's own keys alone: run over the whole document.
 * Every other rule judges one loop at a time (with the config's keys outside the loops): run over
 * those keys, then loop by loop, and its diagnostics for a loop are kept while the loop is the same
 * (../loop-results.ts). Such a rule reads the loops only through the context (`ctx.loops`,
 * `steps()`, `goals()`, `templateStrings()`, `schemaIssues()`, queries), and the config's keys only
 * where `ctx.outsideLoops`.
 */
export const WHOLE_DOCUMENT_RULES: Rule[] = RULES.filter((rule) =>
  [syntaxError, noLoops, duplicateId, unknownPeopleTable, captureUnwatchedTable].includes(rule),
);

export const LOOP_RULES: Rule[] = RULES.filter((rule) => !WHOLE_DOCUMENT_RULES.includes(rule));
