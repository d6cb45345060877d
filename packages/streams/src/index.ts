export * from './server.js';
export * from './context.js';
export * from './entry.js';
export * from './metrics.js';
export * from './owners.js';
export * from './leases.js';
