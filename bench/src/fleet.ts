// The coordinator's side of the load generator: W forked workers, each with a share of the
// pairs (or idle connections), driven together and measured together.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Histogram } from './hist.js';
import type { IdleOptions, IdleStats, LoadOptions, WindowCounts, WindowStats } from './load.js';
import type { WorkerRequest } from './worker.js';

export interface MergedWindow extends WindowCounts {
  latency: Histogram;
  start: Histogram;
  /** The generator itself: CPU % of one core (summed over workers), worst event-loop delay, RSS. */
  gen: { cpuPct: number; eldP99: number; eldMax: number; rssKiB: number; workers: number };
}

export function mergeErrors(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}

export class Fleet {
  private workers: { child: ChildProcess; pending: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }> }[] = [];
  private nextId = 0;

  constructor(readonly size: number) {
    const here = fileURLToPath(import.meta.url);
    const script = here.replace(/fleet\.(js|ts)$/, 'worker.js');
    if (!existsSync(script)) throw new Error(`${script} missing: build the bench (tsc -p bench) first`);
    for (let i = 0; i < size; i++) {
      const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
      child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(`worker ${i}: ${m.error}`));
      });
      child.on('exit', (code) => {
        for (const p of pending.values()) p.reject(new Error(`worker ${i} exited (${code})`));
        pending.clear();
      });
      this.workers.push({ child, pending });
    }
  }

  get pids(): number[] {
    return this.workers.map((w) => w.child.pid!);
  }

  private ask<T>(i: number, req: WorkerRequest): Promise<T> {
    const w = this.workers[i]!;
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      w.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.child.send({ id, req });
    });
  }

  private all<T>(req: (i: number) => WorkerRequest): Promise<T[]> {
    return Promise.all(this.workers.map((_, i) => this.ask<T>(i, req(i))));
  }

  private share(total: number, i: number): number {
    return Math.floor(total / this.size) + (i < total % this.size ? 1 : 0);
  }

  /** Starts `opts.games` pairs spread over the workers. */
  async load(opts: LoadOptions): Promise<{ ready: number; failed: number; ms: number }> {
    const rs = await this.all<{ ready: number; failed: number; ms: number }>((i) => ({
      cmd: 'load', opts: { ...opts, games: this.share(opts.games, i), firstPair: i, stride: this.size },
    }));
    return { ready: rs.reduce((a, r) => a + r.ready, 0), failed: rs.reduce((a, r) => a + r.failed, 0), ms: Math.max(...rs.map((r) => r.ms)) };
  }

  async grow(games: number): Promise<{ ready: number; failed: number; ms: number }> {
    const rs = await this.all<{ ready: number; failed: number; ms: number }>((i) => ({ cmd: 'grow', games: this.share(games, i) }));
    return { ready: rs.reduce((a, r) => a + r.ready, 0), failed: rs.reduce((a, r) => a + r.failed, 0), ms: Math.max(...rs.map((r) => r.ms)) };
  }

  async think(ms: number): Promise<void> {
    await this.all(() => ({ cmd: 'think', ms }));
  }

  async mark(): Promise<void> {
    await this.all(() => ({ cmd: 'mark' }));
  }

  async collect(): Promise<MergedWindow> {
    const ws = await this.all<WindowStats>(() => ({ cmd: 'collect' }));
    const latency = new Histogram();
    const start = new Histogram();
    const errors: Record<string, number> = {};
    const samples: Record<string, string> = {};
    for (const w of ws) {
      latency.merge(w.latency);
      start.merge(w.start);
      mergeErrors(errors, w.errors);
      Object.assign(samples, w.samples);
    }
    const ms = Math.max(...ws.map((w) => w.ms));
    return {
      ms, latency, start, errors, samples,
      moves: ws.reduce((a, w) => a + w.moves, 0),
      sent: ws.reduce((a, w) => a + w.sent, 0),
      started: ws.reduce((a, w) => a + w.started, 0),
      ended: ws.reduce((a, w) => a + w.ended, 0),
      pairs: ws.reduce((a, w) => a + w.pairs, 0),
      gen: {
        cpuPct: (100 * ws.reduce((a, w) => a + w.cpuMs, 0)) / ms,
        eldP99: Math.max(...ws.map((w) => w.eld.p99)),
        eldMax: Math.max(...ws.map((w) => w.eld.max)),
        rssKiB: ws.reduce((a, w) => a + w.rssKiB, 0),
        workers: this.size,
      },
    };
  }

  async idle(opts: IdleOptions, total: number): Promise<IdleStats> {
    const rs = await this.all<IdleStats>((i) => ({
      cmd: 'idle', opts: { ...opts, connections: this.share(total, i), players: Math.ceil((opts.players ?? 500) / this.size), firstIndex: i * 1_000_000 },
    }));
    return sumIdle(rs);
  }

  async idleMark(): Promise<void> {
    await this.all(() => ({ cmd: 'idleMark' }));
  }

  async idleRead(): Promise<IdleStats> {
    return sumIdle(await this.all<IdleStats>(() => ({ cmd: 'idleRead' })));
  }

  async stopLoad(): Promise<void> {
    await this.all(() => ({ cmd: 'stop' }));
  }

  async close(): Promise<void> {
    await this.stopLoad().catch(() => undefined);
    await Promise.all(this.workers.map((w) => new Promise<void>((resolve) => {
      if (w.child.exitCode !== null) return resolve();
      w.child.once('exit', () => resolve());
      w.child.disconnect();
      setTimeout(() => w.child.kill('SIGKILL'), 5000).unref();
    })));
  }
}

function sumIdle(rs: IdleStats[]): IdleStats {
  return {
    opened: rs.reduce((a, r) => a + r.opened, 0),
    failed: rs.reduce((a, r) => a + r.failed, 0),
    closed: rs.reduce((a, r) => a + r.closed, 0),
    errors: rs.reduce((a, r) => mergeErrors(a, r.errors), {} as Record<string, number>),
    ms: Math.max(...rs.map((r) => r.ms)),
    rssKiB: rs.reduce((a, r) => a + r.rssKiB, 0),
    cpuMs: rs.reduce((a, r) => a + r.cpuMs, 0),
    eld: { p50: Math.max(...rs.map((r) => r.eld.p50)), p99: Math.max(...rs.map((r) => r.eld.p99)), max: Math.max(...rs.map((r) => r.eld.max)) },
  };
}
