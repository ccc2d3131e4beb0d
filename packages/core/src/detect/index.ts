export * from './types.js';
export * from './files.js';
export * from './schema.js';
export * from './detect.js';
