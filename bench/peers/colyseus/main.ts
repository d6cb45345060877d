// The peer as its own process (the benchmark measures its CPU and RSS like any service).
// PORT, HOST, TOKEN_SECRET, PING_INTERVAL_MS from the environment; REDIS_URL (and optionally
// PUBLIC_ADDRESS) for the scaled setup, one such process per core sharing that Redis.
// Prints "listening <port>".
import { startColyseusPeer } from './server.js';

const env = process.env;
const peer = await startColyseusPeer({
  port: Number(env.PORT ?? 0),
  host: env.HOST ?? '127.0.0.1',
  ...(env.TOKEN_SECRET ? { tokenSecret: env.TOKEN_SECRET } : {}),
  pingIntervalMs: Number(env.PING_INTERVAL_MS ?? 3000),
  ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
  ...(env.PUBLIC_ADDRESS ? { publicAddress: env.PUBLIC_ADDRESS } : {}),
});
console.log(`listening ${peer.port}`);
const stop = () => void peer.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
