export * from './hints.js';
export * from './language.js';
export * from './prompt.js';
export * from './cursor-rule.js';
// `skene init`'s starter moved to ../starter/; re-exported here until core's index exports it.
export * from '../starter/index.js';
