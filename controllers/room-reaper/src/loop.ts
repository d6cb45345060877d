// A periodic task: one round at a time (a slow round delays the next, never overlaps it), timed
// and counted by loop name; `trigger()` runs a round now (a pod deletion should not wait).
import type { Logger } from '@gambit/common';
import type { ControllerMetrics } from './metrics.js';

export class Loop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private active = false;

  constructor(
    readonly name: string,
    private readonly everyMs: number,
    private readonly round: () => Promise<unknown>,
    private readonly log: Logger,
    private readonly metrics: ControllerMetrics,
  ) {}

  start(): void {
    if (this.active) return;
    this.active = true;
    this.trigger();
  }

  /** Runs a round as soon as the current one (if any) is over. */
  trigger(): void {
    if (!this.active) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.once().finally(() => {
      this.running = undefined;
      if (!this.active) return;
      if (this.again) {
        this.again = false;
        this.trigger();
      } else {
        this.timer = setTimeout(() => this.trigger(), this.everyMs);
      }
    });
  }

  /** Stops scheduling and waits for the round in progress. */
  async stop(): Promise<void> {
    this.active = false;
    this.again = false;
    clearTimeout(this.timer);
    await this.running;
  }

  private async once(): Promise<void> {
    const end = this.metrics.reconcile.startTimer({ loop: this.name });
    try {
      await this.round();
    } catch (err) {
      this.metrics.errors.inc({ loop: this.name });
      this.log.error({ err: err instanceof Error ? err.message : String(err), loop: this.name }, 'round failed');
    } finally {
      end();
    }
  }
}
