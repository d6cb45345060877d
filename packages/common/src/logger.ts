// JSON logs (pino) with the service name on every line.
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(service: string, level = 'info'): Logger {
  // `pod`: the pod name in Kubernetes (HOSTNAME), the machine's name elsewhere.
  return pino({ level, base: { service, pod: process.env.HOSTNAME ?? hostname() }, timestamp: pino.stdTimeFunctions.isoTime });
}

/**
 * Keeps log volume bounded under floods: allows `perSecond` lines a second and counts the rest,
 * reporting how many were dropped on the next line that gets through.
 */
export function logBudget(perSecond: number): () => { ok: boolean; dropped: number } {
  let windowStart = 0;
  let used = 0;
  let dropped = 0;
  return () => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      used = 0;
    }
    if (used >= perSecond) {
      dropped += 1;
      return { ok: false, dropped };
    }
    used += 1;
    const report = dropped;
    dropped = 0;
    return { ok: true, dropped: report };
  };
}

/** True at most once per `ms` (the first call included): for a warning that would repeat on every event. */
export function atMostEvery(ms: number): () => boolean {
  let last = -Infinity;
  return () => {
    const now = Date.now();
    if (now - last < ms) return false;
    last = now;
    return true;
  };
}
