export * from './config.js';
export * from './keys.js';
export * from './logger.js';
export * from './metrics.js';
export * from './playing.js';
export * from './redis.js';
export * from './tokens.js';
export * from './tracing.js';
