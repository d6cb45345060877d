export * from './client.js';
export * from './server.js';
export * from './room-code.js';
export * from './ids.js';
export * from './username.js';
export * from './internal.js';
export * from './internal-schema.js';
export * from './wire/index.js';
