// The Colyseus peer's server: the rooms, Colyseus matchmaking over HTTP, and the same guest-token
// endpoint as Gambit's gateway (POST /api/guest -> HS256 JWT), so a player's path is the same:
// token, then a WebSocket per room.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Server } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { SignJWT } from 'jose';
import { ChessRoom, IdleRoom, peerAuth } from './rooms.js';

export interface PeerOptions {
  port?: number;
  host?: string;
  tokenSecret?: string;
  /** WebSocket ping interval (Colyseus default 3 s). */
  pingIntervalMs?: number;
}

export interface RunningPeer {
  port: number;
  close(): Promise<void>;
}

export async function startColyseusPeer(opts: PeerOptions = {}): Promise<RunningPeer> {
  peerAuth.key = new TextEncoder().encode(opts.tokenSecret ?? randomBytes(32).toString('hex'));
  const http = createServer((req, res) => void route(req, res));
  const transport = new WebSocketTransport({ server: http, pingInterval: opts.pingIntervalMs ?? 3000, pingMaxRetries: 2 });
  // Colyseus logs refused joins (bad tokens) itself; the load generator counts errors client-side.
  const quiet = () => undefined;
  const logger = { debug: quiet, info: quiet, warn: quiet, error: process.env.PEER_LOG ? console.error : quiet, trace: quiet };
  const server = new Server({ transport, greet: false, gracefullyShutdown: false, logger });
  server.define('chess', ChessRoom);
  server.define('idle', IdleRoom);
  await server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  const port = (http.address() as { port: number }).port;
  return {
    port,
    async close() {
      await server.gracefullyShutdown(false).catch(() => undefined);
      http.closeAllConnections();
      http.close();
    },
  };
}

let guests = 0;

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz' || path === '/readyz') return void res.end('ok');
  if (path === '/api/guest' && req.method === 'POST') {
    let body = '';
    for await (const chunk of req) body += chunk;
    let name: string;
    try {
      const parsed = (body ? JSON.parse(body) : {}) as { name?: unknown };
      name = typeof parsed.name === 'string' && parsed.name.length >= 1 && parsed.name.length <= 24 ? parsed.name : `guest-${++guests}`;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      return void res.end('{"error":"body is not JSON"}');
    }
    const playerId = `g_${randomBytes(9).toString('base64url')}`;
    const token = await new SignJWT({ name }).setProtectedHeader({ alg: 'HS256' }).setSubject(playerId)
      .setIssuer(peerAuth.issuer).setAudience('gambit-peer-ws').setIssuedAt().setExpirationTime('30d').sign(peerAuth.key);
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ token, playerId, name }));
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":"not found"}');
}
