export * from './capture-postgres.js';
export * from './migrate.js';
export * from './sender.js';
