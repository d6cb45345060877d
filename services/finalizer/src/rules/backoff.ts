// Retry schedule of the DynamoDB write: exponential, base 250 ms, 5 attempts -> waits of
// 250, 500, 1000, 2000 ms between them. Pure, so the schedule is tested without clocks.

/** Milliseconds to wait after failed attempt `attempt` (1-based) before the next one. */
export function backoffDelay(attempt: number, baseMs = 250, jitter = 0, random: () => number = Math.random): number {
  const delay = baseMs * 2 ** (attempt - 1);
  // Jitter (a fraction, e.g. 0.1 = +/-10%) spreads retries of many finalizers hitting the same outage.
  return Math.max(0, Math.round(delay * (1 + jitter * (2 * random() - 1))));
}

/** The waits between `attempts` attempts: one fewer than the attempts. */
export function backoffSchedule(attempts = 5, baseMs = 250, jitter = 0, random: () => number = Math.random): number[] {
  return Array.from({ length: Math.max(0, attempts - 1) }, (_, i) => backoffDelay(i + 1, baseMs, jitter, random));
}
