// TCP proxies for tests: one that can cut the line (a dependency becomes unreachable without losing
// its data), one that delays every byte both ways (a player far away: test/integration/lag.test.ts).
import { createServer, connect, type Socket } from 'node:net';
import { freePort } from './ports.js';

export interface Proxy {
  port: number;
  /** Drops every connection and refuses new ones until `restore`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<Proxy> {
  const port = await freePort();
  let down = false;
  const live = new Set<Socket>();
  const server = createServer((client) => {
    if (down) return client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    live.add(client).add(upstream);
    const drop = () => { client.destroy(); upstream.destroy(); live.delete(client); live.delete(upstream); };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    cut() {
      down = true;
      for (const s of live) s.destroy();
      live.clear();
    },
    restore() { down = false; },
    close: () => new Promise<void>((r) => { for (const s of live) s.destroy(); server.close(() => r()); }),
  };
}

/**
 * Every chunk, each way, is passed on `delayMs` later, in order (timers of one delay fire in the
 * order they were set): a line with 2 x `delayMs` of round trip and no loss, as a far-away player's.
 */
export async function startDelayingProxy(targetPort: number, delayMs: number): Promise<Pick<Proxy, 'port' | 'close'>> {
  const port = await freePort();
  const live = new Set<Socket>();
  const later = (from: Socket, to: Socket) => from.on('data', (chunk) => { setTimeout(() => { if (!to.destroyed) to.write(chunk); }, delayMs); });
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    live.add(client).add(upstream);
    // A close travels as late as the data before it, so nothing in flight is cut off.
    const drop = () => setTimeout(() => { client.destroy(); upstream.destroy(); live.delete(client); live.delete(upstream); }, delayMs);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    later(client, upstream);
    later(upstream, client);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    close: () => new Promise<void>((r) => { for (const s of live) s.destroy(); server.close(() => r()); }),
  };
}
