// Heartbeats: every socket is pinged once per interval, and one that did not answer its last
// ping is dropped (its seat gets a grace). The sockets are walked a slice per tick rather than
// all at once: one pass over 20,000 sockets stops the event loop for tens of milliseconds, and
// every move arriving then waits (the benchmark's p99 showed it at 1,000 sockets).
export interface Pingable {
  alive: boolean;
  ping(): void;
  terminate(): void;
}

export class KeepAlive {
  private cursor: Iterator<Pingable> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private tickInPass = 0;
  readonly ticks: number;

  /** `onPass` runs when a pass over all sockets ends (housekeeping on the same rhythm). */
  constructor(private readonly sockets: Map<string, Pingable>, private readonly intervalMs: number, private readonly onPass: () => void = () => undefined, tickMs = 50) {
    this.ticks = Math.max(1, Math.floor(intervalMs / tickMs));
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs / this.ticks);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * One slice of the current pass. A pass lasts `ticks` ticks whatever the number of sockets (a
   * socket has the whole interval to answer), takes size/ticks sockets per tick, and walks the
   * rest, if sockets were added meanwhile, on its last tick. A Map's iterator sees sockets added
   * during the pass and skips removed ones: nobody is missed or pinged twice in a pass.
   */
  tick(): void {
    const cursor = (this.cursor ??= this.sockets.values());
    this.tickInPass += 1;
    const last = this.tickInPass >= this.ticks;
    const slice = last ? Infinity : Math.ceil(this.sockets.size / this.ticks);
    for (let i = 0; i < slice; i++) {
      const next = cursor.next();
      if (next.done) break;
      const socket = next.value;
      if (!socket.alive) socket.terminate();
      else socket.ping();
    }
    if (last) {
      this.cursor = undefined;
      this.tickInPass = 0;
      this.onPass();
    }
  }
}
