export * from './server.js';
export * from './context.js';
export * from './entry.js';
export * from './metrics.js';
