// Builds a running gateway: wires the HTTP routes, the WebSocket server at /ws, the command
// publisher, this pod's event stream readers (one per room shard), the connection registry,
// heartbeats and the SIGTERM drain. Each socket's life is its Client's (ws/client.ts); nothing here
// acts on one socket.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { connectRedis, createLogger, instanceId, createRegistry, keys as makeKeys, logBudget, STREAM_MAXLEN, waitReady, watchRedis } from '@gambit/common';
import { CLOSE, pairRoomCode } from '@gambit/protocol';
import { ChallengeStore, PoolStore, SeekStore } from '@gambit/pairing';
import { Presence } from './ws/presence.js';
import { ChatStore } from './redis/chat-store.js';
import { Mutes } from './ws/mutes.js';
import { ChatRates } from './ws/chat-rates.js';
import { wordFilter } from './ws/word-filter.js';
import { Players } from './redis/players.js';
import { Lobby } from './ws/lobby.js';
import { Crowd } from './ws/crowd.js';
import { LiveGames } from './redis/live-games.js';
import { Authenticator, OidcVerifier, SocketTokens } from './auth/index.js';
import { Client, type ClientDeps } from './ws/client.js';
import { Hub } from './ws/hub.js';
import { EventReaders } from './redis/events.js';
import { commandPublisher } from './redis/commands.js';
import { deliveryHandler } from './ws/deliveries.js';
import { KeepAlive } from './ws/keep-alive.js';
import { ConnectionRegistry } from './redis/registry.js';
import { EndedSessions } from './redis/ended-sessions.js';
import { routes } from './http/routes.js';
import { clientAddress } from './http/client-address.js';
import { gatewayMetrics } from './metrics.js';
import { RecentlyClosed } from './ws/recently-closed.js';
import { LateSeats } from './ws/late-seats.js';
import { MoveLatency } from './ws/move-latency.js';
import { PerIp } from './ws/per-ip.js';
import type { GatewayConfig } from './config.js';

export interface RunningGateway {
  id: string;
  port: number;
  /** SIGTERM behaviour: not ready, no new sockets, close the open ones (1012) over DRAIN_MS, stop. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** ws refuses larger frames itself (1009); up to this size we read them and answer `too_large` first. */
const WS_MAX_PAYLOAD = 64 * 1024;

export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const id = config.GATEWAY_ID ?? instanceId();
  const log = createLogger('gateway', config.LOG_LEVEL).child({ gateway: id });
  const keys = makeKeys(config.KEY_PREFIX, config.ROOM_SHARDS, config.REDIS_MODE);
  const registry = createRegistry('gateway');
  const metrics = gatewayMetrics(registry);
  const redis = connectRedis(config.REDIS_URL, `gateway:${id}`, config.REDIS_MODE);
  await waitReady(redis, config.REDIS_URL);
  watchRedis(registry, redis);
  const auth = await authenticator(config, async (sid) => (await redis.exists(keys.session(sid))) === 1);
  const chat = new ChatStore(redis, keys);
  const mutes = new Mutes(chat);
  const hub = new Hub((type, bytes, copies) => {
    metrics.framesOut.inc({ type }, copies);
    metrics.bytesOut.inc(bytes * copies);
  }, (playerId, other) => mutes.has(playerId, other));
  const moveLatency = new MoveLatency((s) => metrics.moveLatency.observe(s));
  const connections = new ConnectionRegistry(redis, keys, id);
  const forward = commandPublisher(redis, keys);
  const closedRecently = new RecentlyClosed();
  const perIp = new PerIp(config.MAX_CONNECTIONS_PER_IP, config.JOIN_RATE_PER_MIN);
  let draining = false;

  // One blocking read per shard stream, each on its own connection (to a replica with REDIS_EVENTS_URL,
  // or on a Cluster with REDIS_EVENTS_FROM_REPLICAS).
  const eventsUrl = config.REDIS_EVENTS_URL ?? config.REDIS_URL;
  const crowd = new Crowd(redis, keys, id, hub, log);
  const events = new EventReaders(keys.allShards.map((s) => ({
    redis: connectRedis(eventsUrl, keys.shards === 1 ? `gateway:${id}:events` : `gateway:${id}:events:${s}`, config.REDIS_MODE, { replicaReads: config.REDIS_EVENTS_FROM_REPLICAS }),
    stream: keys.gatewayEvents(id, s),
  })), log, deliveryHandler({ hub, metrics, moveLatency, lateSeats: new LateSeats(closedRecently, forward), crowd: (room, shares) => crowd.received(room, shares) }));

  const seeks = new SeekStore(redis, keys);
  const lobby = new Lobby(seeks, log);
  const challenges = new ChallengeStore(redis, keys);
  const presence = new Presence(redis, keys, log, config.PRESENCE_POLL_MS);
  // A seek's game has no room yet: it goes to the accepter's connection's shard, and the engine
  // draws the room there. A challenge's is played in the two friends' own room: that room's shard.
  // (On a Cluster both go to the matchmaking outbox: keys.pairCommands.)
  const seekStream = (who: { conn: string }) => keys.pairCommands(who.conn);
  const challengeStream = (c: { from: { playerId: string }; to: { playerId: string } }) => keys.pairCommands(pairRoomCode(c.from.playerId, c.to.playerId));
  const clientDeps: ClientDeps = {
    gatewayId: id, auth, log, forward, metrics, hub, perIp, registry: connections, closedRecently, moveLatency, pools: new PoolStore(redis, keys),
    seeks: { add: (s) => seeks.add(s), cancel: (p, s) => seeks.cancel(p, s), removeConn: (c) => seeks.removeConn(c), accept: (s, who) => seeks.accept(s, who, seekStream(who), STREAM_MAXLEN.commands) },
    lobby,
    challenges: {
      open: (c) => challenges.open(c), get: (p, d, i) => challenges.get(p, d, i), list: (p) => challenges.list(p), end: (e) => challenges.end(e),
      areFriends: (a, b) => challenges.areFriends(a, b), accept: (r, who) => challenges.accept(r, who, challengeStream(r.entry), STREAM_MAXLEN.commands),
    },
    players: new Players(redis, keys),
    presence,
    chat, mutes, wordFilter: wordFilter(config.CHAT_WORD_FILTER), chatRates: new ChatRates(),
    turn: { turnUrls: config.TURN_URLS, ttlS: config.TURN_TTL_SECONDS, stunUrls: config.STUN_URLS, ...(config.TURN_SECRET ? { secret: config.TURN_SECRET } : {}) },
    settings: { helloTimeoutMs: config.HELLO_TIMEOUT_MS, ratePerSec: config.RATE_PER_SEC, rateBurst: config.RATE_BURST, rateStrikes: config.RATE_STRIKES },
    logBudget: logBudget(20),
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD, perMessageDeflate: config.WS_COMPRESSION });
  const addressOf = clientAddress(config.TRUST_CLOUDFRONT_VIEWER_ADDRESS);
  const http = createServer(routes({
    guests: config.GUEST_TOKENS ? auth.tokens : null, registry, ready: () => !draining && redis.status === 'ready', live: new LiveGames(redis, keys),
    allowedOrigins: config.ALLOWED_ORIGINS, clientAddress: addressOf,
    ...(config.WEB_ROOT ? { webRoot: config.WEB_ROOT } : {}),
    ...(config.FINALIZER_URL ? { finalizerUrl: config.FINALIZER_URL } : {}),
    ...(config.ACCOUNTS_URL ? { accountsUrl: config.ACCOUNTS_URL } : {}),
  }));
  const refuse = (socket: import('node:stream').Duplex, status: string) => socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  // Idle keep-alive connections outlive the load balancer's idle timeout and clients' pools, so it is
  // never the server that closes a connection a client is about to reuse.
  http.keepAliveTimeout = 75_000;
  http.headersTimeout = 76_000;
  // Only the HTTP-level refusals happen here; an accepted socket belongs to its Client until it closes.
  http.on('upgrade', (req, socket, head) => {
    if (draining) return refuse(socket, '503 Service Unavailable');
    if ((req.url ?? '').split('?')[0] !== '/ws') return refuse(socket, '404 Not Found');
    // Browsers always send Origin; clients without one (bots, load tools) are not browsers.
    const origin = req.headers.origin;
    if (origin && config.ALLOWED_ORIGINS.length && !config.ALLOWED_ORIGINS.includes(origin)) {
      metrics.authFailures.inc({ reason: 'origin' });
      return refuse(socket, '403 Forbidden');
    }
    const ip = addressOf(req);
    if (perIp.full(ip)) {
      metrics.rateLimited.inc();
      return refuse(socket, '429 Too Many Requests');
    }
    wss.handleUpgrade(req, socket, head, (ws) => new Client(ws, ip, clientDeps));
  });

  // Heartbeat: a socket that did not answer the last ping is dead; drop it (its seat gets a grace).
  const heartbeat = new KeepAlive(hub.clients, config.HEARTBEAT_MS, () => moveLatency.prune());
  heartbeat.start();

  events.start();
  lobby.start();
  presence.start();
  crowd.start();
  connections.startHeartbeat(() => hub.clients.size);
  // A signed-out or deleted session's sockets close (rare: a scan of this pod's sockets is fine).
  const ended = new EndedSessions(connectRedis(config.REDIS_URL, `gateway:${id}:sessions`, config.REDIS_MODE), keys.sessionsEnded, log);
  await ended.start((handle) => {
    for (const c of hub.clients.values()) if (c.identity?.session === handle) c.endSession();
  });
  await new Promise<void>((resolve) => http.listen(config.PORT, config.HOST, resolve));
  const port = (http.address() as { port: number }).port;
  log.info({ port, webRoot: config.WEB_ROOT ?? null }, 'gateway listening');

  let closed: Promise<void> | undefined;
  const shutdown = async (drainMs: number) => {
    draining = true;
    metrics.draining.set(1);
    heartbeat.stop();
    lobby.stop();
    presence.stop();
    crowd.stop();
    http.close();
    const sockets = [...hub.clients.values()];
    // Spread the closes so reconnecting clients do not all land on the other pods at once: in
    // slices every 10 ms or more (a timer per socket would stretch 20,000 sockets past DRAIN_MS).
    const ticks = Math.max(1, Math.min(sockets.length, Math.floor(drainMs / 10)));
    const perTick = Math.ceil(sockets.length / ticks);
    log.info({ sockets: sockets.length, drainMs }, 'draining');
    for (let i = 0; i < sockets.length; i += perTick) {
      for (const c of sockets.slice(i, i + perTick)) c.close(CLOSE.restarting, 'server restarting');
      if (drainMs && i + perTick < sockets.length) await new Promise((r) => setTimeout(r, drainMs / ticks));
    }
    await waitUntil(() => hub.clients.size === 0, 2_000);
    for (const c of hub.clients.values()) c.terminate();
    await events.stop();
    ended.stop();
    await connections.retire().catch(() => undefined);
    await redis.quit().catch(() => undefined);
    http.closeAllConnections();
    log.info('gateway stopped');
  };

  return {
    id,
    port,
    drain: () => (closed ??= shutdown(config.DRAIN_MS)),
    close: () => (closed ??= shutdown(0)),
  };
}

async function authenticator(c: GatewayConfig, sessionExists: (sid: string) => Promise<boolean>): Promise<Authenticator> {
  // One key signs bare guest tokens (POST /api/guest) and verifies the accounts service's session tokens.
  let tokens: SocketTokens | null = null;
  if (c.TOKEN_SIGNING_KEY || c.TOKEN_SECRET) {
    const older = c.TOKEN_VERIFY_KEYS?.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
    tokens = c.TOKEN_SIGNING_KEY
      ? await SocketTokens.fromPem(c.TOKEN_SIGNING_KEY, older, c.TOKEN_TTL_SECONDS)
      : SocketTokens.fromSecret(c.TOKEN_SECRET!, c.TOKEN_TTL_SECONDS);
  }
  const oidc = c.OIDC_ISSUER && c.OIDC_AUDIENCE
    ? new OidcVerifier({
      issuer: c.OIDC_ISSUER, audience: c.OIDC_AUDIENCE, cooldownMs: c.OIDC_JWKS_COOLDOWN_MS,
      ...(c.OIDC_JWKS_URL ? { jwksUrl: c.OIDC_JWKS_URL } : {}), ...(c.OIDC_TOKEN_USE ? { tokenUse: c.OIDC_TOKEN_USE } : {}),
    })
    : null;
  return new Authenticator(tokens, oidc, sessionExists, c.GUEST_TOKENS);
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}
