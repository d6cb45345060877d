// A TCP proxy that can cut the line: a dependency becomes unreachable without losing its data.
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
