// The flow peer's gateway: holds the sockets; every frame after hello goes on the command stream as
// it came (XADD), and what its own event stream brings (XREAD, blocking) goes to the sockets it
// names. POST /api/guest answers like Gambit's (the token is the player id: no signature to check).
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import { COMMANDS, commandFields, decodeAnswer, eventsOf } from './streams.js';

export interface FlowGateway { port: number; close(): Promise<void> }

export async function startFlowGateway(o: { port: number; host: string; redisUrl: string; pingIntervalMs: number }): Promise<FlowGateway> {
  const id = randomBytes(4).toString('hex');
  // A command is one XADD as it comes (ioredis's auto-pipelining made it dearer here at 500 moves/s:
  // 918-1,023 us a move without, 979-1,080 with, docs/performance.md).
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const reader = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const sockets = new Map<string, WebSocket>();
  let on = true;

  const http = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/api/guest') {
      let body = '';
      req.on('data', (d: Buffer) => { body += String(d); });
      req.on('end', () => {
        let name = `guest-${sockets.size}`;
        try { name = String((JSON.parse(body || '{}') as { name?: string }).name ?? name); } catch { /* the default name */ }
        const playerId = `f_${randomBytes(9).toString('base64url')}`;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ token: `${playerId}:${name}`, playerId, name }));
      });
      return;
    }
    res.statusCode = req.url === '/healthz' ? 200 : 404;
    res.end(req.url === '/healthz' ? 'ok' : '');
  });
  const wss = new WebSocketServer({ server: http, path: '/ws', maxPayload: 4096 });
  wss.on('connection', (ws) => {
    const conn = randomBytes(6).toString('base64url');
    sockets.set(conn, ws);
    let hello = false;
    ws.on('message', (data) => {
      const text = String(data);
      if (!hello) {
        let f: { id?: string; token?: string };
        try { f = JSON.parse(text) as typeof f; } catch { return ws.close(4400, 'bad hello'); }
        const [playerId, name] = String(f.token).split(':');
        hello = true;
        ws.send(JSON.stringify({ t: 'welcome', id: f.id, playerId, name, serverTime: Date.now() }));
        return;
      }
      void redis.xadd(COMMANDS, 'MAXLEN', '~', '100000', '*', ...commandFields({ gw: id, conn }, text)).catch(() => undefined);
    });
    ws.on('close', () => sockets.delete(conn));
    ws.on('error', () => undefined);
  });
  const heartbeat = setInterval(() => { for (const ws of sockets.values()) ws.ping(); }, o.pingIntervalMs);

  const readLoop = (async () => {
    let last = '$';
    while (on) {
      const res = (await reader.xread('COUNT', 512, 'BLOCK', 1000, 'STREAMS', eventsOf(id), last).catch(async () => {
        if (on) await new Promise((r) => setTimeout(r, 250)); // Redis away: no busy loop
        return null;
      })) as [string, [string, string[]][]][] | null;
      for (const [, entries] of res ?? []) {
        for (const [entryId, fields] of entries) {
          last = entryId;
          const a = decodeAnswer(fields);
          if (a) for (const c of a.conns) sockets.get(c)?.send(a.text);
        }
      }
    }
  })();

  await new Promise<void>((resolve) => http.listen(o.port, o.host, resolve));
  return {
    port: (http.address() as { port: number }).port,
    async close() {
      on = false;
      clearInterval(heartbeat);
      for (const ws of sockets.values()) ws.terminate();
      await new Promise((r) => http.close(r));
      reader.disconnect();
      await readLoop;
      redis.disconnect();
    },
  };
}
