export * from './email/index.js';
export * from './analysis/index.js';
export * from './template/placeholders.js';
export * from './check/index.js';
export * from './detect/index.js';
export * from './prompt/index.js';
export * from './language/index.js';
