export { runPlan, DEFAULT_HORIZON, DEFAULT_QUERY_TIMEOUT_MS, WAITING, type PlanOptions, type PlanProgress } from './engine.js';
export { loadConfig, findConfig, ConfigError, type LoadedConfig } from './load-config.js';
export { parseDuration, parseInstant, readInstant, cronOccurrences } from './clock.js';
export { withRetries, backoffDelay, isTransient, type RecoveryPolicy } from './retry.js';
export { planProject, type PlanProjectOptions, type PlanProjectResult } from './project.js';
export { emptyReport, type EmptyReportOptions } from './empty-report.js';
export { unsubscribeProblems, unsubscribeSettings } from './unsubscribe.js';
