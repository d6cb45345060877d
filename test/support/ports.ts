// Ports for the servers a test starts (redis-server, nginx, turnserver, our services).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The first port of the OS's ephemeral range (the local ports of outgoing connections; 32768 on
 * Linux by default). A port chosen inside it can be taken by any connection the machine opens
 * between our check and the server's bind: seen in a fresh-clone run while `npm ci` ran beside
 * it (nginx and turnserver: "Address already in use").
 */
export function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * A random port in [lo, below) for a server that binds several from it (`span` of them): below the
 * ephemeral range when it leaves room (see ephemeralStart), else anywhere from 20000.
 */
export function portBelowEphemeral(span = 1, lo = 10_000): number {
  const top = ephemeralStart() - span;
  const [from, to] = top - lo >= 5_000 ? [lo, top] : [20_000, 60_000 - span];
  return from + Math.floor(Math.random() * (to - from));
}

/**
 * A port nothing listens on right now. Random rather than the OS's next ephemeral port: test files
 * run in parallel, and the OS hands recently freed ports out again quickly, so two files asking at
 * once could both be told the same port before either binds it; below the ephemeral range, so no
 * outgoing connection takes it before the server binds.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = portBelowEphemeral();
    if (await isFree(port)) return port;
  }
  throw new Error('no free port found');
}

/** Whether a listen on 127.0.0.1:port succeeds now. */
export function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
