// OpenTelemetry traces, off unless configured. Spans are made by hand at the few places that
// matter (a move through gateway, engine and finalizer; the HTTP API), not by instrumentation that
// patches every module. The W3C trace context travels between the services in the stream entries
// (`traceparent`, `tracestate`: @gambit/protocol wire/stream-entry.ts) and in HTTP headers.
//
// Configuration follows the OpenTelemetry environment variables (docs/configuration.md, Traces):
// tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
// OTEL_TRACES_EXPORTER (otlp, console) is set, and not OTEL_SDK_DISABLED=true or
// OTEL_TRACES_EXPORTER=none. Spans go over OTLP/HTTP with JSON bodies to a collector.
//
// Off, it costs nothing on the hot path: `startSpan` returns undefined before anything is made
// (no span object, not even the API's non-recording one), and the SDK is never loaded.
import { hostname } from 'node:os';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type TimeInput, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { EngineCommand } from '@gambit/protocol';
import { z } from 'zod';
import { env, loadConfig } from './config.js';

export { SpanKind, SpanStatusCode, type Span };

/** A trace context as plain fields: what a stream entry or an HTTP request carries. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
const lower = <T extends readonly [string, ...string[]]>(values: T) => z.string().transform((s) => s.trim().toLowerCase()).pipe(z.enum(values));

const httpUrl = z.url({ protocol: /^https?$/, message: 'an http:// or https:// URL' });

/** The OpenTelemetry variables read (the spec's names and defaults). */
export const tracingConfigSchema = z.object({
  OTEL_SDK_DISABLED: env.bool(false),
  /** otlp (OTLP/HTTP, JSON), console (spans on stdout, for a look by hand) or none. */
  OTEL_TRACES_EXPORTER: lower(['otlp', 'console', 'none'] as const).optional(),
  /** The collector's base URL; spans go to <it>/v1/traces. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  /** The full URL for spans (wins over the base URL). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: lower(['http/json'] as const).optional()
    .describe('only http/json is built in (a collector takes it on its OTLP/HTTP port, 4318)'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: lower(['http/json'] as const).optional(),
  OTEL_TRACES_SAMPLER: lower(SAMPLERS).default('parentbased_always_on'),
  /** The ratio of the traceidratio samplers, 0 to 1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  /** Batch span processor: delay between exports (ms), export timeout, queue and batch sizes. */
  OTEL_BSP_SCHEDULE_DELAY: env.int(5_000, 0, 600_000),
  OTEL_BSP_EXPORT_TIMEOUT: env.int(30_000, 1, 600_000),
  OTEL_BSP_MAX_QUEUE_SIZE: env.int(2_048, 1, 1_000_000),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: env.int(512, 1, 1_000_000),
  /** Overrides the service's own name (game-engine, gateway, ...) in the spans' resource. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});
export type TracingConfig = z.infer<typeof tracingConfigSchema>;

export interface TracingSettings {
  exporter: 'otlp' | 'console';
  /** The URL spans are posted to (otlp). */
  url: string;
  sampler: (typeof SAMPLERS)[number];
  ratio: number;
  scheduleDelayMs: number;
  exportTimeoutMs: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
  serviceName?: string;
}

/** The settings, or null when tracing is off; a bad value throws ConfigError naming the variable. */
export function tracingSettings(e: NodeJS.ProcessEnv = process.env): TracingSettings | null {
  const c = loadConfig(tracingConfigSchema, e);
  const endpoint = c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? c.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (c.OTEL_SDK_DISABLED || c.OTEL_TRACES_EXPORTER === 'none') return null;
  if (!c.OTEL_TRACES_EXPORTER && !endpoint) return null;
  const url = c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    ?? `${(c.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318').replace(/\/+$/, '')}/v1/traces`;
  return {
    exporter: c.OTEL_TRACES_EXPORTER ?? 'otlp', url, sampler: c.OTEL_TRACES_SAMPLER, ratio: c.OTEL_TRACES_SAMPLER_ARG ?? 1,
    scheduleDelayMs: c.OTEL_BSP_SCHEDULE_DELAY, exportTimeoutMs: c.OTEL_BSP_EXPORT_TIMEOUT,
    maxQueueSize: c.OTEL_BSP_MAX_QUEUE_SIZE, maxExportBatchSize: Math.min(c.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, c.OTEL_BSP_MAX_QUEUE_SIZE),
    ...(c.OTEL_SERVICE_NAME ? { serviceName: c.OTEL_SERVICE_NAME } : {}),
  };
}

export interface Tracing {
  enabled: boolean;
  /** Exports what is still queued, then stops (call before the process exits). */
  shutdown(): Promise<void>;
}

let tracer: Tracer | undefined;

/** Whether spans are made in this process. */
export function tracingOn(): boolean {
  return tracer !== undefined;
}

/** Uses this tracer (or none) from now on: what startTracing does; tests pass an in-memory one. */
export function setTracer(t: Tracer | undefined): void {
  tracer = t;
}

/**
 * Starts tracing for `service` when the environment asks for it (see above); throws ConfigError on
 * a bad setting. The SDK is loaded only then.
 */
export async function startTracing(service: string, e: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  const s = tracingSettings(e);
  if (!s) return { enabled: false, shutdown: async () => undefined };
  const sdk = await import('@opentelemetry/sdk-trace');
  const { resourceFromAttributes, detectResources, envDetector } = await import('@opentelemetry/resources');
  const exporter = s.exporter === 'console'
    ? new sdk.ConsoleSpanExporter()
    : new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url: s.url, timeoutMillis: s.exportTimeoutMs });
  const ratio = new sdk.TraceIdRatioBasedSampler(s.ratio);
  const root = { always_on: new sdk.AlwaysOnSampler(), always_off: new sdk.AlwaysOffSampler(), traceidratio: ratio }[s.sampler.replace('parentbased_', '') as 'always_on' | 'always_off' | 'traceidratio'];
  const sampler = s.sampler.startsWith('parentbased_') ? new sdk.ParentBasedSampler({ root }) : root;
  // OTEL_RESOURCE_ATTRIBUTES (envDetector) adds to these and wins over them.
  const resource = resourceFromAttributes({
    'service.name': s.serviceName ?? service, 'service.namespace': 'gambit', 'service.instance.id': process.env.HOSTNAME ?? hostname(),
  }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new sdk.TracerProvider({
    resource, sampler,
    spanProcessors: [new sdk.BatchSpanProcessor({
      exporter, scheduledDelayMillis: s.scheduleDelayMs, exportTimeoutMillis: s.exportTimeoutMs,
      maxQueueSize: s.maxQueueSize, maxExportBatchSize: s.maxExportBatchSize,
    })],
  });
  setTracer(provider.getTracer('gambit'));
  return {
    enabled: true,
    async shutdown() {
      setTracer(undefined);
      await provider.shutdown().catch(() => undefined);
    },
  };
}

const propagator = new W3CTraceContextPropagator();
const setter = { set: (c: TraceCarrier, k: string, v: string) => { if (k === 'traceparent' || k === 'tracestate') c[k] = v; } };
const getter = {
  keys: (c: TraceCarrier) => Object.keys(c),
  get: (c: TraceCarrier, k: string) => (k === 'traceparent' || k === 'tracestate' ? c[k] : undefined),
};

/** The context a carrier names (a fresh root when it names none, or a malformed one). */
export function extractTrace(carrier: TraceCarrier | undefined): Context {
  return carrier?.traceparent ? propagator.extract(ROOT_CONTEXT, carrier, getter) : ROOT_CONTEXT;
}

/** The span's context as fields (traceparent, and tracestate when it has one); undefined without a span. */
export function injectTrace(span: Span | undefined): { traceparent: string; tracestate?: string } | undefined {
  if (!span) return undefined;
  const c: TraceCarrier = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), c, setter);
  return c.traceparent ? (c as { traceparent: string; tracestate?: string }) : undefined;
}

export interface SpanOptions {
  /** The parent: a carrier from another process, or a context here; none: a new trace. */
  parent?: TraceCarrier | Context;
  kind?: SpanKind;
  attributes?: Attributes;
  startTime?: TimeInput;
}

/** A new span, or undefined when tracing is off (then nothing at all is made). */
export function startSpan(name: string, o: SpanOptions = {}): Span | undefined {
  if (!tracer) return undefined;
  const parent = o.parent === undefined ? ROOT_CONTEXT : isContext(o.parent) ? o.parent : extractTrace(o.parent);
  return tracer.startSpan(name, { kind: o.kind ?? SpanKind.INTERNAL, ...(o.attributes ? { attributes: o.attributes } : {}), ...(o.startTime !== undefined ? { startTime: o.startTime } : {}) }, parent);
}

/**
 * The span of an engine command, or undefined when tracing is off (then nothing at all is made, not
 * even the attributes): the gateway's from a frame's arrival to its XADD, the engine's from the
 * entry to the commit. Each site gives its own name, kind, parent and start; the span says what
 * every command's does (its type, correlation id, room, and for a move its ply and move) and the
 * site's own `attributes` besides.
 */
export function startCommandSpan(name: string, cmd: EngineCommand, o: SpanOptions = {}): Span | undefined {
  if (!tracer) return undefined;
  const a: Attributes = { 'gambit.command': cmd.t, ...o.attributes };
  if (cmd.origin.cid) a['gambit.cid'] = cmd.origin.cid;
  if ('room' in cmd && cmd.room) a['gambit.room'] = cmd.room;
  if (cmd.t === 'move') {
    a['gambit.ply'] = cmd.ply;
    a['gambit.uci'] = cmd.uci;
  }
  return startSpan(name, { ...o, attributes: a });
}

/** Ends a span, marking it failed when `err` is given. */
export function endSpan(span: Span | undefined, err?: unknown): void {
  if (!span) return;
  if (err !== undefined) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
  }
  span.end();
}

/** The context of a span, for a child made in the same process. */
export function spanContext(span: Span): Context {
  return trace.setSpan(ROOT_CONTEXT, span);
}

/** An HTTP request as much as a server span needs (node:http's IncomingMessage and ServerResponse fit). */
interface HttpRequest { method?: string | undefined; url?: string | undefined; headers: Record<string, string | string[] | undefined> }
interface HttpResponse { statusCode: number; once(event: 'close', f: () => void): unknown }

/** The read API's routes with their ids as placeholders: a span name of bounded cardinality. */
export function apiRoute(path: string): string {
  return path.replace(/^\/api\/(games|players)\/[^/]+/, '/api/$1/{id}');
}

/**
 * A server span for an HTTP API request (`GET /api/games/{id}`), ended with the response's status
 * when the response closes; undefined when tracing is off. With `trustParent`, the request's own
 * traceparent (from a service in front, the gateway) is its parent; an edge facing the internet
 * starts a trace of its own.
 */
export function httpServerSpan(req: HttpRequest, res: HttpResponse, trustParent: boolean): Span | undefined {
  if (!tracer) return undefined;
  const path = (req.url ?? '/').split('?')[0]!;
  const method = req.method ?? 'GET';
  const header = (name: string) => { const v = req.headers[name]; return typeof v === 'string' ? v : undefined; };
  const carrier: TraceCarrier = {};
  if (trustParent) {
    const tp = header('traceparent'), ts = header('tracestate');
    if (tp) carrier.traceparent = tp;
    if (ts) carrier.tracestate = ts;
  }
  const route = apiRoute(path);
  const span = startSpan(`${method} ${route}`, {
    parent: carrier, kind: SpanKind.SERVER,
    attributes: { 'http.request.method': method, 'http.route': route, 'url.path': path },
  })!;
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  return span;
}

function isContext(p: TraceCarrier | Context): p is Context {
  return typeof (p as Context).getValue === 'function';
}
