// Builds a running accounts service: Redis (sessions), DynamoDB (accounts), the identity
// provider (discovered at start: a wrong issuer stops the process with its name), the socket
// token signer shared with the gateway, and the HTTP routes.
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SocketTokens, connectRedis, createLogger, createRegistry, keys as makeKeys, waitReady, watchRedis } from '@gambit/common';
import type { AccountsConfig } from './config.js';
import { Provider } from './adapters/oidc.js';
import { Sessions } from './adapters/sessions.js';
import { Users } from './adapters/users.js';
import { AccountJobs } from './adapters/jobs.js';
import { GameRecords } from './adapters/games.js';
import { Friends } from './adapters/friends.js';
import { ensureAccountTables } from './adapters/tables.js';
import { createAccountsServer } from './http/server.js';

export interface RunningAccounts { port: number; close(): Promise<void> }

export async function startAccounts(c: AccountsConfig): Promise<RunningAccounts> {
  const log = createLogger('accounts', c.LOG_LEVEL);
  const registry = createRegistry('accounts');
  const redis = connectRedis(c.REDIS_URL, 'accounts', c.REDIS_MODE);
  await waitReady(redis, c.REDIS_URL);
  watchRedis(registry, redis);
  const keys = makeKeys(c.KEY_PREFIX, c.ROOM_SHARDS, c.REDIS_MODE);
  const db = new DynamoDBClient({
    region: c.AWS_REGION,
    ...(c.DYNAMODB_ENDPOINT ? { endpoint: c.DYNAMODB_ENDPOINT } : {}),
    ...(c.DYNAMODB_ENDPOINT && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000 },
  });
  const tables = { users: c.USERS_TABLE, usernames: c.USERNAMES_TABLE, friends: c.FRIENDS_TABLE };
  if (c.CREATE_TABLES) await ensureAccountTables(db, tables);
  const site = new URL(c.PUBLIC_URL);
  // The page's home: its CDN origin when it has one (PAGE_ORIGINS), else the site itself ('': paths on it).
  const home = c.PAGE_ORIGINS[0] ?? '';
  const provider = await Provider.discover({
    issuer: c.OIDC_ISSUER, clientId: c.OIDC_CLIENT_ID, clientSecret: c.OIDC_CLIENT_SECRET, scopes: c.OIDC_SCOPES,
    redirectUri: new URL('/auth/callback', site).href, postLogoutUri: `${home || site.origin}/`, allowHttp: c.OIDC_ALLOW_HTTP, promptCreate: c.OIDC_PROMPT_CREATE,
    ...(c.OIDC_END_SESSION_URL ? { endSessionUrl: c.OIDC_END_SESSION_URL } : {}),
  }).catch((err: unknown) => {
    throw new Error(`OIDC_ISSUER=${c.OIDC_ISSUER}: discovery failed (${String(err)})`);
  });
  const ctx = {
    config: c, provider, log, secure: site.protocol === 'https:', sameSite: c.SESSION_SAMESITE === 'none' ? 'None' as const : 'Lax' as const, home,
    sessions: new Sessions(redis, keys, c.SESSION_TTL_DAYS * 86_400),
    users: new Users(db, tables, c.USERNAME_HOLD_DAYS * 86_400_000),
    tokens: await SocketTokens.fromPem(c.TOKEN_SIGNING_KEY, [], c.SOCKET_TOKEN_TTL_SECONDS),
    jobs: new AccountJobs(redis, keys),
    games: new GameRecords(c.FINALIZER_URL),
    friends: new Friends(db, c.FRIENDS_TABLE, redis, keys, Boolean(c.DYNAMODB_ENDPOINT)),
  };
  // DescribeTable of its own table: what its IAM policy allows (ListTables would need every table).
  const ready = async () => redis.status === 'ready' && (await db.send(new DescribeTableCommand({ TableName: c.USERS_TABLE })).then(() => true, () => false));
  const server = createAccountsServer(ctx, registry, ready);
  await new Promise<void>((resolve) => server.listen(c.PORT, c.HOST, resolve));
  const port = (server.address() as { port: number }).port;
  log.info({ port, issuer: c.OIDC_ISSUER }, 'accounts listening');
  return {
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await redis.quit().catch(() => undefined);
      db.destroy();
    },
  };
}
