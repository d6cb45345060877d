// dynalite: the DynamoDB API in memory, reached through the real AWS SDK.
import dynalite from 'dynalite';
import type { Server } from 'node:http';
import { freePort } from './ports.js';

export interface DynaliteHandle {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop), for tests of DynamoDB coming back. */
  restart(): Promise<void>;
}

export async function startDynalite(port?: number): Promise<DynaliteHandle> {
  const p = port ?? (await freePort());
  let server: Server;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve());
    });
  await listen();
  return {
    endpoint: `http://127.0.0.1:${p}`,
    port: p,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
    restart: listen,
  };
}
