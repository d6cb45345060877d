// The flow peer as its own process: FLOW_ROLE=gateway (PORT, HOST, PING_INTERVAL_MS) or engine;
// REDIS_URL for both. What it is and why: gateway.ts, engine.ts and docs/performance.md.
// Prints "listening <port>" (the gateway) or "reading" (the engine).
import { startFlowEngine } from './engine.js';
import { startFlowGateway } from './gateway.js';

const env = process.env;
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const running = env.FLOW_ROLE === 'engine'
  ? await startFlowEngine({ redisUrl })
  : await startFlowGateway({ port: Number(env.PORT ?? 0), host: env.HOST ?? '127.0.0.1', redisUrl, pingIntervalMs: Number(env.PING_INTERVAL_MS ?? 5000) });
console.log('port' in running ? `listening ${running.port}` : 'reading');
const stop = () => void running.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
