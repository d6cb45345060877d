// The Colyseus peer's server: the rooms, Colyseus matchmaking over HTTP, and the same guest-token
// endpoint as Gambit's gateway (POST /api/guest -> HS256 JWT), so a player's path is the same:
// token, then a WebSocket per room.
//
// Alone it is one process with Colyseus's in-memory presence and driver. Scaled (`redisUrl`), it
// is one of several processes sharing a Redis through @colyseus/redis-presence (seat reservations
// and room creation between processes) and @colyseus/redis-driver (the room listings matchmaking
// queries), each announcing its `publicAddress`, which the SDK connects a room's sockets to: a
// matchmaking request can go to any process, the room runs on the one that created it.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Server, createEndpoint, createRouter, type Presence } from '@colyseus/core';
import { RedisDriver } from '@colyseus/redis-driver';
import { RedisPresence } from '@colyseus/redis-presence';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { SignJWT } from 'jose';
import { ChessRoom, IdleRoom, peerAuth } from './rooms.js';

export interface PeerOptions {
  port?: number;
  host?: string;
  tokenSecret?: string;
  /** WebSocket ping interval (Colyseus default 3 s). */
  pingIntervalMs?: number;
  /** Scaled setup: the Redis shared by every process (RedisPresence + RedisDriver). */
  redisUrl?: string;
  /** host:port the SDK opens this process's room sockets on (default: host:port when redisUrl is set). */
  publicAddress?: string;
}

export interface RunningPeer {
  port: number;
  close(): Promise<void>;
}

let guests = 0;

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** POST /api/guest and the health checks, as routes of the Colyseus router (next to /matchmake). */
const routes = createRouter({
  guest: createEndpoint('/api/guest', { method: 'POST' }, async (ctx) => {
    // The router has read the body: JSON as an object, anything else (text/plain) as text.
    let parsed: { name?: unknown };
    try {
      const body: unknown = ctx.body;
      parsed = (typeof body === 'string' ? (body ? JSON.parse(body) : {}) : (body ?? {})) as { name?: unknown };
    } catch {
      return json(400, { error: 'body is not JSON' });
    }
    const name = typeof parsed.name === 'string' && parsed.name.length >= 1 && parsed.name.length <= 24 ? parsed.name : `guest-${++guests}`;
    const playerId = `g_${randomBytes(9).toString('base64url')}`;
    const token = await new SignJWT({ name }).setProtectedHeader({ alg: 'HS256' }).setSubject(playerId)
      .setIssuer(peerAuth.issuer).setAudience('gambit-peer-ws').setIssuedAt().setExpirationTime('30d').sign(peerAuth.key);
    return json(200, { token, playerId, name });
  }),
  healthz: createEndpoint('/healthz', { method: 'GET' }, async () => new Response('ok')),
  readyz: createEndpoint('/readyz', { method: 'GET' }, async () => new Response('ok')),
});

export async function startColyseusPeer(opts: PeerOptions = {}): Promise<RunningPeer> {
  peerAuth.key = new TextEncoder().encode(opts.tokenSecret ?? randomBytes(32).toString('hex'));
  const host = opts.host ?? '127.0.0.1';
  const http = createServer();
  const transport = new WebSocketTransport({ server: http, pingInterval: opts.pingIntervalMs ?? 3000, pingMaxRetries: 2 });
  // Colyseus logs refused joins (bad tokens) itself; the load generator counts errors client-side.
  const quiet = () => undefined;
  const logger = { debug: quiet, info: quiet, warn: quiet, error: process.env.PEER_LOG ? console.error : quiet, trace: quiet };
  // Scaled: the port must be known before the server is made (it goes into publicAddress).
  const port = opts.redisUrl && !opts.port ? await new Promise<number>((resolve, reject) => {
    const probe = createServer().once('error', reject).listen(0, host, () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  }) : (opts.port ?? 0);
  const shared = opts.redisUrl
    ? { presence: new RedisPresence(opts.redisUrl) as Presence, driver: new RedisDriver(opts.redisUrl), publicAddress: opts.publicAddress ?? `${host}:${port}` }
    : {};
  const server = new Server({ transport, greet: false, gracefullyShutdown: false, logger, ...shared });
  server.router = routes;
  server.define('chess', ChessRoom);
  server.define('idle', IdleRoom);
  await server.listen(port, host);
  return {
    port: (http.address() as { port: number }).port,
    async close() {
      await server.gracefullyShutdown(false).catch(() => undefined);
      http.closeAllConnections();
      http.close();
    },
  };
}
