// One prom-client registry per process, with default Node metrics and the service label.
import { Registry, collectDefaultMetrics, Counter, Histogram, Gauge } from 'prom-client';

export { Registry, Counter, Histogram, Gauge };

/**
 * Creates every series of a labelled counter at zero, so dashboards and alerts see 0 rather than
 * "no data" before the first event (label values must be a known, bounded list).
 */
export function zeroSeries<L extends string>(counter: Counter<L>, label: L, values: readonly string[]): void {
  for (const v of values) counter.inc({ [label]: v } as Partial<Record<L, string>>, 0);
}

export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'gambit_' });
  return registry;
}

/** 1 while this process's Redis connection is ready, else 0 (the "Redis unreachable" alert). */
export function watchRedis(registry: Registry, redis: { status: string }): void {
  new Gauge({
    name: 'gambit_redis_up', help: 'Whether this process is connected to Redis', registers: [registry],
    collect() { this.set(redis.status === 'ready' ? 1 : 0); },
  });
}
