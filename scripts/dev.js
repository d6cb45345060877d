// `make dev`: the whole platform on this machine, no Kubernetes. A redis-server on a free port
// (data under .dev/), dynalite in this process (in memory), then one engine, one finalizer, the
// embedded OpenID provider, the accounts service, coturn (TURN and STUN for video calls, with a
// secret made for this run) and one gateway as child processes. Ctrl-C stops everything started here.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import dynalite from 'dynalite';

const root = fileURLToPath(new URL('..', import.meta.url));
const children = [];

const freePort = (preferred) =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => (preferred ? freePort(0).then(resolve) : resolve(0)));
    srv.listen(preferred, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

function start(name, cmd, args, env = {}) {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = `[${name}]`.padEnd(12);
  const relay = (stream, out) => {
    let buf = '';
    stream.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        out.write(`${tag} ${buf.slice(0, i)}\n`);
        buf = buf.slice(i + 1);
      }
    });
  };
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${tag} exited (${signal ?? code}); stopping everything`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1500).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const data = `${root}.dev/redis`;
mkdirSync(data, { recursive: true });
const redisPort = await freePort(0);
start('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', data, '--save', '60 1', '--appendonly', 'no']);
const dynamoPort = await freePort(0);
await new Promise((resolve) => dynalite({ createTableMs: 0 }).listen(dynamoPort, '127.0.0.1', resolve));

// Guest tokens: ES256 with a key generated for this run, unless TOKEN_SIGNING_KEY is given.
const signingKey = process.env.TOKEN_SIGNING_KEY
  ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const webPort = Number(process.env.PORT ?? (await freePort(8080)));
const finalizerPort = await freePort(0);
const common = { REDIS_URL: `redis://127.0.0.1:${redisPort}`, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' };

await waitForRedis(redisPort);
start('engine', process.execPath, ['services/game-engine/dist/main.js'], { ...common, METRICS_PORT: String(await freePort(9101)) });
start('finalizer', process.execPath, ['services/finalizer/dist/main.js'], {
  ...common, DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoPort}`, CREATE_TABLES: 'true', FINALIZER_HTTP_PORT: String(finalizerPort),
  AWS_ACCESS_KEY_ID: 'dev', AWS_SECRET_ACCESS_KEY: 'dev',
});
// Accounts: the embedded OpenID provider on its own origin (as Cognito would be), with secrets
// made for this run, and the accounts service as its client. Accounts made here live in Redis
// (.dev/redis) and dynalite (memory): a restart of make dev keeps the provider's, not the profiles.
const site = `http://127.0.0.1:${webPort}`;
const idpPort = await freePort(8090);
const issuer = `http://127.0.0.1:${idpPort}`;
const clientSecret = randomBytes(32).toString('hex');
start('id-provider', process.execPath, ['services/id-provider/dist/main.js'], {
  ...common, PORT: String(idpPort), HOST: '127.0.0.1', ISSUER: issuer, CLIENT_SECRET: clientSecret,
  REDIRECT_URIS: `${site}/auth/callback`, POST_LOGOUT_REDIRECT_URIS: `${site}/`,
  COOKIE_KEYS: process.env.IDP_COOKIE_KEY ?? randomBytes(32).toString('hex'),
  SIGNING_KEY: process.env.IDP_SIGNING_KEY ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
});
await waitForHttp(`${issuer}/.well-known/openid-configuration`, 'id-provider');
const accountsPort = await freePort(0);
start('accounts', process.execPath, ['services/accounts/dist/main.js'], {
  ...common, PORT: String(accountsPort), HOST: '127.0.0.1', PUBLIC_URL: site, OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'gambit',
  OIDC_CLIENT_SECRET: clientSecret, OIDC_ALLOW_HTTP: 'true', TOKEN_SIGNING_KEY: signingKey,
  FINALIZER_URL: `http://127.0.0.1:${finalizerPort}`, DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoPort}`, CREATE_TABLES: 'true',
  AWS_ACCESS_KEY_ID: 'dev', AWS_SECRET_ACCESS_KEY: 'dev',
});
await waitForHttp(`http://127.0.0.1:${accountsPort}/readyz`, 'accounts');

// coturn for video calls: TURN REST credentials signed with a secret made for this run (the
// gateway hands them out; the secret never reaches a browser). Loopback only, as the rest.
const turnPort = await freePort(3478);
const turnSecret = randomBytes(24).toString('hex');
const relayMin = 49_152 + Math.floor(Math.random() * 100) * 100;
start('coturn', 'turnserver', [
  '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${turnPort}`, '--use-auth-secret', `--static-auth-secret=${turnSecret}`,
  '--realm=gambit.dev', '--allow-loopback-peers', '--no-cli', '--no-tls', '--no-dtls', `--min-port=${relayMin}`, `--max-port=${relayMin + 99}`,
  '--no-software-attribute', '--log-file=stdout', '--simple-log',
]);
const turnEnv = {
  TURN_URLS: `turn:127.0.0.1:${turnPort}?transport=udp,turn:127.0.0.1:${turnPort}?transport=tcp`, TURN_SECRET: turnSecret, STUN_URLS: `stun:127.0.0.1:${turnPort}`,
};

// The gateway runs with the Node flags its image uses.
const gatewayFlags = JSON.parse(readFileSync(`${root}services/gateway/node-flags.json`, 'utf8'));
start('gateway', process.execPath, [...gatewayFlags, 'services/gateway/dist/main.js'], {
  ...common, PORT: String(webPort), HOST: '127.0.0.1', TOKEN_SIGNING_KEY: signingKey, WEB_ROOT: `${root}web/dist`,
  FINALIZER_URL: `http://127.0.0.1:${finalizerPort}`, ACCOUNTS_URL: `http://127.0.0.1:${accountsPort}`, DRAIN_MS: '500', ...turnEnv,
});

await waitForHttp(`http://127.0.0.1:${webPort}/readyz`, 'gateway');
console.log(`
  Gambit is running.
    Play:        ${site}/   (two browsers, or a normal and a private window: sign up in each, or play as guests)
    Sign-in:     ${issuer}/   (the embedded OpenID provider: accounts you create there stay in .dev/redis)
    Redis:       redis://127.0.0.1:${redisPort}   (data in .dev/redis)
    DynamoDB:    http://127.0.0.1:${dynamoPort}   (dynalite, in memory)
    TURN/STUN:   127.0.0.1:${turnPort}   (coturn, for video calls; its secret is made for this run)
    Game API:    http://127.0.0.1:${webPort}/api/games/<id>
    Token key:   ${process.env.TOKEN_SIGNING_KEY ? 'from TOKEN_SIGNING_KEY' : 'a generated development ES256 key (set TOKEN_SIGNING_KEY to a PKCS8 PEM to keep tokens across restarts)'}
  Ctrl-C stops everything.
`);

async function waitForRedis(port) {
  const { Redis } = await import('ioredis');
  for (let i = 0; i < 200; i++) {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      return;
    } catch {
      r.disconnect();
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  throw new Error(`redis-server did not start on port ${port}`);
}

async function waitForHttp(url, name) {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  console.error(`the ${name} did not become ready at ${url}`);
  stop(1);
}
