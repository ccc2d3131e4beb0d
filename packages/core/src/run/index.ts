export * from './capture-postgres.js';
export * from './migrate.js';
export * from './sender.js';
export * from './jobs.js';
export * from './runner.js';
export * from './status.js';
export { ensureState, stateStatements } from './state.js';
export { sendOnce, type LedgerResult } from './ledger.js';
export * from './forever.js';
