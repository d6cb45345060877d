// What players feel: from this gateway receiving a `move` to it sending the `moved` that
// answers it. Keyed by room and the ply the move will make; moves never answered (refused) are
// forgotten after a while.
export class MoveLatency {
  private readonly pending = new Map<string, number>();
  constructor(private readonly observe: (seconds: number) => void, private readonly forgetAfterMs = 30_000) {}

  sent(room: string, ply: number, now = performance.now()): void {
    this.pending.set(`${room}:${ply + 1}`, now);
  }

  moved(room: string, ply: number, now = performance.now()): void {
    const key = `${room}:${ply}`;
    const started = this.pending.get(key);
    if (started === undefined) return;
    this.pending.delete(key);
    this.observe((now - started) / 1000);
  }

  prune(now = performance.now()): void {
    for (const [key, at] of this.pending) if (now - at > this.forgetAfterMs) this.pending.delete(key);
  }
}
