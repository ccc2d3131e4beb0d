export * from './starter.js';
export * from './files.js';
