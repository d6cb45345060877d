// The peer as its own process (the benchmark measures its CPU and RSS like any service).
// PORT, HOST, TOKEN_SECRET, PING_INTERVAL_MS from the environment; prints "listening <port>".
import { startColyseusPeer } from './server.js';

const peer = await startColyseusPeer({
  port: Number(process.env.PORT ?? 0),
  host: process.env.HOST ?? '127.0.0.1',
  ...(process.env.TOKEN_SECRET ? { tokenSecret: process.env.TOKEN_SECRET } : {}),
  pingIntervalMs: Number(process.env.PING_INTERVAL_MS ?? 3000),
});
console.log(`listening ${peer.port}`);
const stop = () => void peer.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
