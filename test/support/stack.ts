// The whole platform in one test process: a real redis-server, dynalite, N engines, a finalizer
// and a gateway serving the built client. Each stack gets its own key prefix and tables.
import { randomBytes } from 'node:crypto';
import { devSigningKey } from './keys.js';
import { fileURLToPath } from 'node:url';
import { startRedis, startReplica, type RedisHandle } from './redis.js';
import { startDynalite, type DynaliteHandle } from './dynalite.js';
import { startRedisCluster, type RedisCluster, type RedisClusterOptions } from './redis-cluster.js';
import { startEngine, type RunningEngine } from '../../services/game-engine/src/app.js';
import { engineConfigSchema } from '../../services/game-engine/src/config.js';
import { startGateway, type RunningGateway } from '../../services/gateway/src/app.js';
import { gatewayConfigSchema } from '../../services/gateway/src/config.js';
import { startFinalizer, type RunningFinalizer } from '../../services/finalizer/src/app.js';
import { finalizerSchema } from '../../services/finalizer/src/config.js';
import type { RunningAccounts } from '../../services/accounts/src/app.js';
import type { RunningIdProvider } from '../../services/id-provider/src/app.js';
import { freePort } from './ports.js';

export { devSigningKey };
type Replica = Awaited<ReturnType<typeof startReplica>>;

export interface Stack {
  httpUrl: string;
  wsUrl: string;
  redisUrl: string;
  dynamoEndpoint: string;
  keyPrefix: string;
  gamesTable: string;
  playersTable: string;
  redis: RedisHandle;
  dynamo: DynaliteHandle;
  engines: RunningEngine[];
  gateway: RunningGateway;
  finalizer: RunningFinalizer;
  /** With `accounts: true`: the embedded OpenID provider and the accounts service behind the gateway. */
  accounts?: { service: RunningAccounts; idp: RunningIdProvider; issuer: string; usersTable: string };
  /** The key socket tokens are signed with (tests sign account tokens with it, as the accounts service does). */
  signingKey: string;
  /** With `durability: 'replicated'`: the replica. */
  replica?: Replica;
  /** Starts one more engine on the same Redis. */
  addEngine(): Promise<RunningEngine>;
  /** Starts one more gateway on the same Redis (its own port; stopped with the stack). Returns its http URL. */
  addGateway(): Promise<string>;
  stop(): Promise<void>;
}

export interface StackOptions {
  engines?: number;
  graceMs?: number;
  claimIdleMs?: number;
  gateway?: Record<string, string>;
  accounts?: boolean;
  /** Settings of the accounts service over the stack's (with `accounts: true`). */
  accountsEnv?: Record<string, string>;
  /** ROOM_SHARDS of every service (default 1: the key names of old). */
  roomShards?: number;
  /** SHARD_LEASE_MS of the engines (default 1000 here: a stopped engine's shards pass on within a second; 0: every engine reads every shard). */
  shardLeaseMs?: number;
  /** 'replicated': a replica of the stack's Redis, engines committing with WAIT 1, the finalizer waiting (WAIT 1) after each read of finalize entries, the gateway reading its events from the replica. */
  durability?: 'replicated';
}

/** A stack on a real Redis Cluster (REDIS_MODE cluster): `cluster` in place of `redis`. */
export interface ClusterStack extends Omit<Stack, 'redis' | 'replica'> {
  cluster: RedisCluster;
}

/** Where the services' Redis is, and how to stop it with the stack. */
interface Backend { url: string; mode: 'single' | 'cluster'; stop(): Promise<void> }

export const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const [redis, dynamo] = await Promise.all([startRedis(), startDynalite()]);
  let replica: Replica | undefined;
  try {
    if (opts.durability === 'replicated') replica = await startReplica(redis);
    const services = await startServices(opts, { url: redis.url, mode: 'single', stop: () => redis.stop() }, dynamo, replica);
    return { ...services, redis };
  } catch (err) {
    // Nothing half-started is left behind: a leaked redis-server keeps jest from exiting.
    await Promise.all([redis.stop(), dynamo.stop(), replica?.stop()]).catch(() => undefined);
    throw err;
  }
}

/**
 * The same services on a new local Redis Cluster (six redis-server: three primaries with a replica
 * each; test/support/redis-cluster.ts), ROOM_SHARDS 4 unless asked otherwise. `durability:
 * 'replicated'`: the engines commit, and the finalizer reads, with WAIT 1 (the cluster's replicas); no accounts (the embedded
 * OpenID provider runs on a single Redis only).
 */
export async function startClusterStack(opts: Omit<StackOptions, 'accounts'> & { clusterOptions?: RedisClusterOptions } = {}): Promise<ClusterStack> {
  const [cluster, dynamo] = await Promise.all([startRedisCluster(opts.clusterOptions), startDynalite()]);
  try {
    const url = cluster.startupNodes.map((n) => `redis://${n.host}:${n.port}`).join(',');
    const services = await startServices({ roomShards: 4, ...opts }, { url, mode: 'cluster', stop: () => cluster.stop() }, dynamo);
    return { ...services, cluster };
  } catch (err) {
    await Promise.all([cluster.stop(), dynamo.stop()]).catch(() => undefined);
    throw err;
  }
}

async function startServices(opts: StackOptions, redis: Backend, dynamo: DynaliteHandle, replica?: Replica): Promise<Omit<Stack, 'redis'>> {
  const prefix = `t${randomBytes(3).toString('hex')}`;
  const gamesTable = `${prefix}-games`;
  const playersTable = `${prefix}-players`;
  const common = { REDIS_URL: redis.url, REDIS_MODE: redis.mode, KEY_PREFIX: prefix, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ROOM_SHARDS: String(opts.roomShards ?? 1) };
  // Engines and the finalizer share these, as the chart sets both from engine.commitDurability and
  // engine.commitWaitMs (no COMMIT_WAIT_MS here: both at their default, 250 ms).
  const durability: Record<string, string> = opts.durability === 'replicated' ? { COMMIT_DURABILITY: 'replicated' } : {};
  const engineEnv = {
    ...common, METRICS_PORT: '0', RECONNECT_GRACE_MS: String(opts.graceMs ?? 12_000), DEADLINE_SCAN_MS: '20',
    CLAIM_IDLE_MS: String(opts.claimIdleMs ?? 1_000), SHARD_LEASE_MS: String(opts.shardLeaseMs ?? 1_000), ...durability,
  };
  const addEngine = async () => startEngine(engineConfigSchema.parse(engineEnv));
  const engines: RunningEngine[] = [];
  for (let i = 0; i < (opts.engines ?? 1); i++) engines.push(await addEngine());
  const finalizer = await startFinalizer(finalizerSchema.parse({
    ...common, DYNAMODB_ENDPOINT: dynamo.endpoint, GAMES_TABLE: gamesTable, PLAYERS_TABLE: playersTable,
    CREATE_TABLES: 'true', FINALIZER_HTTP_PORT: '0', FINALIZE_BACKOFF_BASE_MS: '20', CLAIM_IDLE_MS: '1000', ...durability,
  }));
  const signingKey = devSigningKey();
  const accounts = opts.accounts ? await startAccountsPart(common, dynamo.endpoint, `http://127.0.0.1:${finalizer.port}`, signingKey, opts.accountsEnv) : undefined;
  const gatewayEnv = {
    ...common, HOST: '127.0.0.1', TOKEN_SIGNING_KEY: signingKey, WEB_ROOT,
    FINALIZER_URL: `http://127.0.0.1:${finalizer.port}`, DRAIN_MS: '200', ...(replica ? { REDIS_EVENTS_URL: replica.url } : {}),
    ...(accounts ? { ACCOUNTS_URL: `http://127.0.0.1:${accounts.service.port}` } : {}), ...opts.gateway,
  };
  const gateway = await startGateway(gatewayConfigSchema.parse({ ...gatewayEnv, PORT: String(accounts?.sitePort ?? 0) }));
  const moreGateways: RunningGateway[] = [];
  const httpUrl = `http://127.0.0.1:${gateway.port}`;
  return {
    httpUrl, wsUrl: `ws://127.0.0.1:${gateway.port}/ws`, redisUrl: redis.url, dynamoEndpoint: dynamo.endpoint,
    keyPrefix: prefix, gamesTable, playersTable, dynamo, engines, gateway, finalizer, signingKey, ...(replica ? { replica } : {}),
    ...(accounts ? { accounts: { service: accounts.service, idp: accounts.idp, issuer: accounts.issuer, usersTable: accounts.usersTable } } : {}),
    async addEngine() {
      const e = await addEngine();
      engines.push(e);
      return e;
    },
    async addGateway() {
      const g = await startGateway(gatewayConfigSchema.parse({ ...gatewayEnv, PORT: '0' }));
      moreGateways.push(g);
      return `http://127.0.0.1:${g.port}`;
    },
    async stop() {
      await Promise.all([gateway, ...moreGateways].map((g) => g.close()));
      await accounts?.service.close();
      await accounts?.idp.close();
      await Promise.allSettled(engines.map((e) => e.close()));
      await finalizer.close();
      await Promise.all([redis.stop(), dynamo.stop(), replica?.stop()]);
    },
  };
}


/**
 * The embedded provider and the accounts service, in this process. The site's port is chosen first:
 * the accounts service's redirect URIs and Origin checks name the gateway's origin.
 */
async function startAccountsPart(common: Record<string, string>, dynamoEndpoint: string, finalizerUrl: string, signingKey: string, extra: Record<string, string> = {}) {
  // Loaded only by stacks with accounts: the provider library is large.
  const { startIdProvider } = await import('../../services/id-provider/src/app.js');
  const { idProviderConfigSchema } = await import('../../services/id-provider/src/config.js');
  const { startAccounts } = await import('../../services/accounts/src/app.js');
  const { accountsSchema } = await import('../../services/accounts/src/config.js');
  const sitePort = await freePort();
  const site = `http://127.0.0.1:${sitePort}`;
  const idpPort = await freePort();
  const issuer = `http://127.0.0.1:${idpPort}`;
  const clientSecret = randomBytes(32).toString('hex');
  const idp = await startIdProvider(idProviderConfigSchema.parse({
    ...common, PORT: String(idpPort), HOST: '127.0.0.1', ISSUER: issuer, CLIENT_SECRET: clientSecret,
    // Sign-out lands on the page's home: a page on another origin (PAGE_ORIGINS, the CDN test) is registered too.
    REDIRECT_URIS: `${site}/auth/callback`, POST_LOGOUT_REDIRECT_URIS: [site, ...(extra.PAGE_ORIGINS ?? '').split(',').filter(Boolean)].map((o) => `${o.trim()}/`).join(','),
    COOKIE_KEYS: randomBytes(32).toString('hex'),
    SIGNING_KEY: devSigningKey(),
  }));
  const usersTable = `${common.KEY_PREFIX}-users`;
  const service = await startAccounts(accountsSchema.parse({
    ...common, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: site, OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'gambit', OIDC_CLIENT_SECRET: clientSecret,
    OIDC_ALLOW_HTTP: 'true', TOKEN_SIGNING_KEY: signingKey, FINALIZER_URL: finalizerUrl, DYNAMODB_ENDPOINT: dynamoEndpoint,
    USERS_TABLE: usersTable, USERNAMES_TABLE: `${common.KEY_PREFIX}-usernames`, FRIENDS_TABLE: `${common.KEY_PREFIX}-friends`, CREATE_TABLES: 'true', ...extra,
  }));
  return { sitePort, issuer, idp, service, usersTable };
}
