export * from './capture-postgres.js';
export * from './migrate.js';
