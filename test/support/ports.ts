import { createServer } from 'node:net';

/**
 * A port nothing listens on right now. Random in 20000-59999 rather than the OS's next ephemeral
 * port: test files run in parallel, and the OS hands recently freed ports out again quickly, so two
 * files asking at once could both be told the same port before either binds it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    if (await isFree(port)) return port;
  }
  throw new Error('no free port found');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
