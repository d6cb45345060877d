export * from './client.js';
export * from './server.js';
export * from './room-code.js';
export * from './internal.js';
export * from './internal-schema.js';
