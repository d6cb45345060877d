// Builds a running id-provider: Redis, the account store and sign-in limits, oidc-provider, and one
// HTTP server that answers /healthz, /readyz, / and the interaction pages itself and hands the rest (discovery,
// /auth, /token, /me, /session/end, /jwks) to oidc-provider.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectRedis, createLogger, waitReady, type Logger } from '@gambit/common';
import type { IdProviderConfig } from './config.js';
import { idpKeys } from './store/keys.js';
import { AccountStore } from './store/accounts.js';
import { LoginLimiter } from './store/limiter.js';
import { createProvider } from './provider.js';
import { interactionRoutes } from './interactions.js';
import { messagePage } from './pages.js';
import { sendHtml } from './http.js';

/** Someone opening the issuer URL itself (make dev prints it) learns what it is. */
const HOME = messagePage('Gambit sign-in', 'This is the sign-in service of a Gambit development setup. Sign in or create an account from the game itself.');

export interface RunningIdProvider {
  /** Where it listens (which is ISSUER when ISSUER names this port). */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startIdProvider(config: IdProviderConfig, deps: { log?: Logger } = {}): Promise<RunningIdProvider> {
  const log = deps.log ?? createLogger('id-provider', config.LOG_LEVEL);
  const redis = connectRedis(config.REDIS_URL, 'id-provider', config.REDIS_MODE);
  try {
    await waitReady(redis, config.REDIS_URL);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const keys = idpKeys(config.KEY_PREFIX);
  const accounts = new AccountStore(redis, keys);
  const limiter = new LoginLimiter(redis, keys, { perAccount: config.LOGIN_FAILURES_PER_ACCOUNT, perAddress: config.LOGIN_FAILURES_PER_ADDRESS }, config.LOGIN_WINDOW_SECONDS);
  const provider = createProvider(config, { redis, keys, accounts, log });
  const interactions = interactionRoutes({ provider, accounts, limiter, log, keys: config.COOKIE_KEYS, trustProxy: config.TRUST_PROXY });
  const oidc = provider.callback();

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    // Liveness: the process answers. Readiness: it can reach Redis, where every sign-in is kept.
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    if (path === '/readyz') {
      const ok = redis.status === 'ready';
      return void res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready' : 'redis not ready');
    }
    if (path === '/' && req.method === 'GET') return sendHtml(res, 200, HOME);
    interactions(req, res).then((handled) => {
      if (!handled) oidc(req, res);
    }, (err: unknown) => {
      log.error({ err }, 'interaction failed');
      if (!res.headersSent) sendHtml(res, 500, messagePage('Something went wrong', 'Go back to Gambit and try again.'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, issuer: config.ISSUER }, 'id-provider listening');
  return {
    url: `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
