export * from './hints.js';
export * from './language.js';
export * from './prompt.js';
export * from './cursor-rule.js';
