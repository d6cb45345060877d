// Waiting for a long piece of work (a flood answered, a stream drained, records written) without a
// deadline that only holds on a quiet machine: the wait fails when the work stops moving for
// `stallMs`, not when a fixed time has passed. A machine three times slower takes three times
// longer and still passes; a stuck consumer fails as soon as it has been stuck for `stallMs`.

export interface Progress {
  done: boolean;
  /** Anything that grows while the work moves on (entries handled, frames answered). */
  progress: number;
  /** What to say if it stalls. */
  detail?: string;
}

/**
 * Polls `check` every `pollMs` until it says done. Throws `message` (with the last detail) when
 * `progress` has not grown for `stallMs`, or when `capMs` (a backstop for runaway loops) is spent.
 */
export async function waitForProgress(
  check: () => Promise<Progress> | Progress,
  opts: { stallMs: number; capMs?: number; pollMs?: number; message: string },
): Promise<void> {
  const start = Date.now();
  let best = -Infinity;
  let movedAt = start;
  let last: Progress | undefined;
  for (;;) {
    last = await check();
    if (last.done) return;
    const now = Date.now();
    if (last.progress > best) {
      best = last.progress;
      movedAt = now;
    }
    if (now - movedAt > opts.stallMs) throw new Error(`${opts.message}: no progress for ${opts.stallMs} ms (${last.detail ?? `at ${last.progress}`})`);
    if (opts.capMs !== undefined && now - start > opts.capMs) throw new Error(`${opts.message}: not done after ${opts.capMs} ms (${last.detail ?? `at ${last.progress}`})`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
}
