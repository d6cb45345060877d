// One move is one trace: the real processes (gateway, engine, finalizer, from dist/) export their
// spans over OTLP/HTTP (JSON) to a receiver here; a fool's mate played over a real socket gives,
// for each move, one trace with the gateway's `move` span and the engine's `command move` as its
// child, and the mating move's trace also holds the finalizer's `finalize game` (the engine span's
// child, through the finalize entry's traceparent). The read API is traced through the gateway's
// proxy into the finalizer's server span.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startProcessStack, type ProcessStack } from '../support/processes.js';
import { TestPlayer, play, startGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';

interface AnyValue { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
interface KeyValue { key: string; value: AnyValue }
interface OtlpSpan {
  traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number;
  startTimeUnixNano: string; endTimeUnixNano: string; attributes?: KeyValue[];
}
interface ExportRequest { resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[] }
/** A received span with its resource's service.name and its attributes as plain values. */
interface Got { service: string; traceId: string; spanId: string; parent: string; name: string; kind: number; attrs: Record<string, unknown> }

const value = (v: AnyValue): unknown => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue ?? v.doubleValue);
const attrs = (kvs: KeyValue[] = []) => Object.fromEntries(kvs.map((kv) => [kv.key, value(kv.value)]));

const spans: Got[] = [];
const posts: string[] = [];
let receiver: Server;
let stack: ProcessStack;
const players: TestPlayer[] = [];

beforeAll(async () => {
  // The collector's OTLP/HTTP receiver, as far as these exporters need it.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest;
      for (const rs of body.resourceSpans ?? []) {
        const service = String(attrs(rs.resource?.attributes)['service.name']);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({ service, traceId: s.traceId, spanId: s.spanId, parent: s.parentSpanId ?? '', name: s.name, kind: s.kind, attrs: attrs(s.attributes) });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '50' };
  stack = await startProcessStack({ env: { gateway: otel, 'game-engine': otel, finalizer: otel } });
}, 60_000);

afterAll(async () => {
  players.forEach((p) => p.close());
  await stack?.stop();
  await new Promise((r) => receiver?.close(r));
});

test('each move of a game is one trace through gateway and engine; the mate\'s goes on to the finalizer', async () => {
  const w = await TestPlayer.connect(stack.httpUrl, 'alice');
  const b = await TestPlayer.connect(stack.httpUrl, 'bob');
  players.push(w, b);
  const room = await startGame(w, b);
  const moves = ['f2f3', 'e7e5', 'g2g4', 'd8h4'];
  await play(room, w, b, moves);
  await w.next('ended');

  const gatewayMove = (ply: number) => spans.find((s) => s.service === 'gateway' && s.name === 'move' && s.attrs['gambit.room'] === room && s.attrs['gambit.ply'] === ply);
  const inTrace = (traceId: string) => spans.filter((s) => s.traceId === traceId);
  const finalize = () => spans.find((s) => s.service === 'finalizer' && s.name === 'finalize game' && s.attrs['gambit.room'] === room);
  // Polled, not slept: every move's gateway and engine span, and the finalizer's, have arrived.
  await waitFor(() => moves.every((_, ply) => {
    const g = gatewayMove(ply);
    return g !== undefined && inTrace(g.traceId).some((s) => s.service === 'game-engine');
  }) && finalize() !== undefined, 15_000, () => `spans so far: ${JSON.stringify(spans.map((s) => [s.service, s.name, s.attrs['gambit.ply']]))}; posts: ${posts.slice(-3).join(', ')}`);

  const traces = new Set<string>();
  for (const [ply, uci] of moves.entries()) {
    const g = gatewayMove(ply)!;
    traces.add(g.traceId);
    expect(g.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(g.parent).toBe(''); // the move starts its trace at the gateway
    expect(g.kind).toBe(2); // SERVER
    expect(g.attrs).toMatchObject({ 'gambit.room': room, 'gambit.ply': ply, 'gambit.uci': uci, 'gambit.command': 'move' });
    const trace = inTrace(g.traceId);
    const engine = trace.filter((s) => s.service === 'game-engine');
    expect(engine).toHaveLength(1);
    expect(engine[0]).toMatchObject({ name: 'command move', parent: g.spanId, kind: 5 /* CONSUMER */ });
    expect(engine[0]!.attrs).toMatchObject({ 'gambit.room': room, 'gambit.ply': ply, 'gambit.uci': uci });
    const services = new Set(trace.map((s) => s.service));
    if (ply < moves.length - 1) {
      expect([...services].sort()).toEqual(['game-engine', 'gateway']);
    } else {
      // The mate: the engine's commit wrote the finalize entry with its own span's context.
      expect([...services].sort()).toEqual(['finalizer', 'game-engine', 'gateway']);
      const f = finalize()!;
      expect(f.traceId).toBe(g.traceId);
      expect(f.parent).toBe(engine[0]!.spanId);
      expect(f.attrs).toMatchObject({ 'gambit.room': room, 'gambit.outcome': 'stored', 'gambit.reason': 'checkmate', 'gambit.plies': 4 });
    }
  }
  expect(traces.size).toBe(moves.length); // one trace per move
  expect(posts.every((p) => p === 'POST /v1/traces application/json')).toBe(true);
}, 30_000);

test('a read API request is one trace: the gateway\'s proxy span, the finalizer\'s as its child', async () => {
  const f = spans.find((s) => s.service === 'finalizer' && s.name === 'finalize game' && typeof s.attrs['gambit.game_id'] === 'string');
  expect(f).toBeDefined();
  const gameId = String(f!.attrs['gambit.game_id']);
  const res = await fetch(`${stack.httpUrl}/api/games/${gameId}`, { headers: { traceparent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01' } });
  expect(res.status).toBe(200);
  const gw = () => spans.find((s) => s.service === 'gateway' && s.name === 'GET /api/games/{id}' && s.attrs['url.path'] === `/api/games/${gameId}`);
  await waitFor(() => gw() !== undefined && spans.some((s) => s.service === 'finalizer' && s.traceId === gw()!.traceId), 10_000, 'no API spans');
  const g = gw()!;
  // The client's traceparent is not trusted at the edge: the gateway starts the trace.
  expect(g.parent).toBe('');
  expect(g.traceId).not.toBe('0123456789abcdef0123456789abcdef');
  expect(g.attrs).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/api/games/{id}', 'http.response.status_code': 200 });
  const child = spans.find((s) => s.service === 'finalizer' && s.traceId === g.traceId)!;
  expect(child).toMatchObject({ name: 'GET /api/games/{id}', parent: g.spanId, kind: 2 });
  expect(child.attrs['http.response.status_code']).toBe(200);
});
