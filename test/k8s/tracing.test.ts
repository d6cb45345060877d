// Traces in the chart: off by default (no OTEL_* variable, no path to a collector); with
// tracing.otlpEndpoint, gateway, engine and finalizer get the OpenTelemetry variables, which the
// services' own parser accepts (packages/common tracing.ts), and an egress NetworkPolicy rule to
// the collector's OTLP/HTTP port; a bad sampler ratio is refused by the schema.
import { describe, expect, test } from '@jest/globals';
import { tracingSettings } from '../../packages/common/src/tracing.js';
import { named, policiesFor, render, type K8sObject, type Peer } from './support.js';

const TRACING = ['game-engine', 'gateway', 'finalizer'] as const;
const config = (objects: K8sObject[], c: string) => (named(objects, 'ConfigMap', `gambit-${c}`) as unknown as { data: Record<string, string> }).data;
const otel = (data: Record<string, string>) => Object.fromEntries(Object.entries(data).filter(([k]) => k.startsWith('OTEL_')));
const labels = (c: string) => ({ 'app.kubernetes.io/instance': 'gambit', 'app.kubernetes.io/name': 'gambit', 'app.kubernetes.io/component': c });
const collectorRules = (objects: K8sObject[], c: string, port: number) =>
  policiesFor(objects, labels(c)).flatMap((p) => p.spec.egress ?? []).filter((r) => r.ports?.some((x) => x.port === port));

describe('tracing in the chart', () => {
  test('off by default: no OTEL_* setting, no egress to a collector', () => {
    const objects = render();
    for (const c of TRACING) {
      expect(otel(config(objects, c))).toEqual({});
      expect(tracingSettings(config(objects, c))).toBeNull();
      expect(collectorRules(objects, c, 4318)).toEqual([]);
    }
  });

  test('with an endpoint: the variables on gateway, engine and finalizer, and a path to the collector', () => {
    const objects = render({
      set: ['tracing.otlpEndpoint=http://otel-collector.observability:4318', 'tracing.sampler=parentbased_traceidratio', 'tracing.collector.podSelector.app=otel'],
      setString: ['tracing.samplerArg=0.05'],
    });
    for (const c of TRACING) {
      const data = config(objects, c);
      expect(otel(data)).toEqual({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4318', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05',
      });
      // What the service makes of them, with its own parser.
      expect(tracingSettings(data)).toMatchObject({ exporter: 'otlp', url: 'http://otel-collector.observability:4318/v1/traces', sampler: 'parentbased_traceidratio', ratio: 0.05 });
      const rules = collectorRules(objects, c, 4318);
      expect(rules).toHaveLength(1);
      const peer = rules[0]!.to![0] as Peer & { namespaceSelector: { matchLabels: Record<string, string> } };
      expect(peer.namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'observability' });
      expect(peer.podSelector?.matchLabels).toEqual({ app: 'otel' });
    }
    // The services that make no spans get neither.
    expect(otel(config(objects, 'room-reaper'))).toEqual({});
  });

  test('a ratio out of 0..1 or an endpoint that is not a URL is refused', () => {
    expect(() => render({ set: ['tracing.otlpEndpoint=http://c:4318'], setString: ['tracing.samplerArg=2'] })).toThrow(/samplerArg/);
    expect(() => render({ set: ['tracing.otlpEndpoint=collector:4318'] })).toThrow(/otlpEndpoint/);
  });
});
