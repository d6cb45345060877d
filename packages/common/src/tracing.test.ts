// Tracing: off unless the OpenTelemetry variables ask, a bad value refused at start; the W3C
// context in and out of plain fields (what a stream entry carries); off, nothing at all is made.
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { EngineCommand } from '@gambit/protocol';
import { ConfigError } from './config.js';
import { SpanKind, apiRoute, endSpan, extractTrace, injectTrace, startCommandSpan, startSpan, startTracing, setTracer, spanContext, tracingOn, tracingSettings } from './tracing.js';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const ORIGIN = { gw: 'gw1', conn: 'c1', playerId: 'g_p', name: 'P' };
const MOVE: EngineCommand = { t: 'move', origin: { ...ORIGIN, cid: 'c1.3' }, room: 'r1', uci: 'e2e4', ply: 1 };

function inMemory() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  setTracer(provider.getTracer('test'));
  return exporter;
}

afterEach(() => setTracer(undefined));

describe('settings', () => {
  test('off unless an endpoint or an exporter is set', () => {
    expect(tracingSettings({})).toBeNull();
    expect(tracingSettings({ OTEL_TRACES_SAMPLER: 'always_on' })).toBeNull();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBeNull();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
  });

  test('the OTLP URL from the base endpoint, the traces endpoint, or the default; the sampler', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({
      exporter: 'otlp', url: 'http://collector:4318/v1/traces', sampler: 'parentbased_always_on', ratio: 1, scheduleDelayMs: 5000,
    });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/traces' })?.url).toBe('http://b:4318/traces');
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp' })?.url).toBe('http://localhost:4318/v1/traces');
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'Console' })?.exporter).toBe('console');
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05', OTEL_BSP_SCHEDULE_DELAY: '100' }))
      .toMatchObject({ sampler: 'parentbased_traceidratio', ratio: 0.05, scheduleDelayMs: 100 });
  });

  test('a bad value is a ConfigError naming the variable', async () => {
    const bad = (e: NodeJS.ProcessEnv) => { try { tracingSettings(e); return ''; } catch (err) { expect(err).toBeInstanceOf(ConfigError); return (err as Error).message; } };
    expect(bad({ OTEL_TRACES_SAMPLER: 'sometimes' })).toContain('OTEL_TRACES_SAMPLER="sometimes"');
    expect(bad({ OTEL_TRACES_SAMPLER_ARG: '2' })).toContain('OTEL_TRACES_SAMPLER_ARG="2"');
    expect(bad({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318 x' })).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(bad({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toContain('OTEL_EXPORTER_OTLP_PROTOCOL="grpc"');
    expect(bad({ OTEL_TRACES_EXPORTER: 'jaeger' })).toContain('OTEL_TRACES_EXPORTER="jaeger"');
    await expect(startTracing('x', { OTEL_TRACES_SAMPLER: 'sometimes' })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('off', () => {
  test('no span is made, not even a non-recording one; nothing is injected', async () => {
    const t = await startTracing('x', {});
    expect(t.enabled).toBe(false);
    expect(tracingOn()).toBe(false);
    const getTracer = jest.spyOn(trace, 'getTracer');
    expect(startSpan('move', { parent: { traceparent: TP } })).toBeUndefined();
    expect(injectTrace(undefined)).toBeUndefined();
    endSpan(undefined);
    expect(getTracer).not.toHaveBeenCalled();
    getTracer.mockRestore();
    await t.shutdown();
  });

  test('a command span: nothing made, the command not even read', () => {
    const read = jest.fn(() => MOVE.origin);
    const cmd = { ...MOVE, get origin() { return read(); } };
    expect(startCommandSpan('move', cmd, { kind: SpanKind.SERVER, attributes: { 'gambit.conn': 'c1' } })).toBeUndefined();
    expect(read).not.toHaveBeenCalled();
  });
});

describe('on', () => {
  test('the context goes out as traceparent (and tracestate) and comes back as the parent', () => {
    const exporter = inMemory();
    const parent = startSpan('move', { parent: { traceparent: TP, tracestate: 'v=1' } })!;
    const carried = injectTrace(parent)!;
    expect(carried.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(carried.tracestate).toBe('v=1');
    const child = startSpan('command move', { parent: carried })!;
    const local = startSpan('inner', { parent: spanContext(child) })!;
    [local, child, parent].forEach((s) => endSpan(s));
    const [l, c, p] = exporter.getFinishedSpans();
    expect(p!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(p!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(c!.spanContext().traceId).toBe(p!.spanContext().traceId);
    expect(c!.parentSpanContext?.spanId).toBe(p!.spanContext().spanId);
    expect(l!.parentSpanContext?.spanId).toBe(c!.spanContext().spanId);
  });

  test('no carrier, or a malformed one: a new trace', () => {
    const exporter = inMemory();
    endSpan(startSpan('a'));
    endSpan(startSpan('b', { parent: { traceparent: 'not-a-traceparent' } }));
    endSpan(startSpan('c', { parent: {} }), new Error('boom'));
    const [a, b, c] = exporter.getFinishedSpans();
    for (const s of [a, b, c]) expect(s!.parentSpanContext).toBeUndefined();
    expect(new Set([a, b, c].map((s) => s!.spanContext().traceId)).size).toBe(3);
    expect(c!.status.code).toBe(2); // ERROR
    expect(extractTrace(undefined)).toBe(extractTrace({}));
  });

  test('a command span: the command\'s attributes and the site\'s, with the name, kind, parent and start given', () => {
    const exporter = inMemory();
    const gw = startCommandSpan('move', MOVE, { kind: SpanKind.SERVER, startTime: 1_700_000_000_000, attributes: { 'gambit.conn': 'c1' } })!;
    const engine = startCommandSpan('command move', MOVE, { parent: injectTrace(gw), kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'redis', 'gambit.claimed': false } })!;
    endSpan(startCommandSpan('command create', { t: 'create', origin: ORIGIN, tc: { initialMs: 60_000, incrementMs: 0 }, color: 'random' }));
    endSpan(engine);
    endSpan(gw);
    const [c, e, g] = exporter.getFinishedSpans();
    expect(g).toMatchObject({ name: 'move', kind: SpanKind.SERVER, startTime: [1_700_000_000, 0] });
    expect(g!.parentSpanContext).toBeUndefined();
    expect(g!.attributes).toEqual({ 'gambit.command': 'move', 'gambit.conn': 'c1', 'gambit.cid': 'c1.3', 'gambit.room': 'r1', 'gambit.ply': 1, 'gambit.uci': 'e2e4' });
    expect(e).toMatchObject({ name: 'command move', kind: SpanKind.CONSUMER });
    expect(e!.parentSpanContext?.spanId).toBe(g!.spanContext().spanId);
    expect(e!.attributes).toEqual({ 'gambit.command': 'move', 'messaging.system': 'redis', 'gambit.claimed': false, 'gambit.cid': 'c1.3', 'gambit.room': 'r1', 'gambit.ply': 1, 'gambit.uci': 'e2e4' });
    expect(c).toMatchObject({ name: 'command create', kind: SpanKind.INTERNAL });
    expect(c!.attributes).toEqual({ 'gambit.command': 'create' }); // no cid, no room
  });

  test('API span names keep ids out', () => {
    expect(apiRoute('/api/games/66c773ae-2d08')).toBe('/api/games/{id}');
    expect(apiRoute('/api/players/u_abc/games')).toBe('/api/players/{id}/games');
    expect(apiRoute('/api/account/export')).toBe('/api/account/export');
  });
});
