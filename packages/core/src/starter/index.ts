export * from './starter.js';
export * from './files.js';
export * from './dependencies.js';
