// What the coordinator measures outside the load generator: each process's CPU and RSS from
// /proc, Redis commands (INFO commandstats) and each service's event-loop delay (/metrics).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

let clkTck = 0;
function ticksPerSecond(): number {
  if (!clkTck) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

export interface ProcSample { ticks: number; rssKiB: number; hwmKiB: number }

/** utime + stime (ticks), VmRSS and VmHWM (KiB) of a process, or null when it is gone. */
export function readProc(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { ticks, rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
  } catch {
    return null;
  }
}

/** Jiffies of the whole machine from /proc/stat: busy and total, summed over all cores. */
export function readMachine(): { busy: number; total: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** CPU the whole machine spent over a window, in % of one core (200 = both cores of 2 busy). */
export class MachineMeter {
  private start = readMachine();
  private t = performance.now();

  mark(): void {
    this.start = readMachine();
    this.t = performance.now();
  }

  read(): number {
    const now = readMachine();
    const secs = (performance.now() - this.t) / 1000;
    return secs > 0 ? (100 * (now.busy - this.start.busy)) / ticksPerSecond() / secs : 0;
  }
}

export interface ProcWindow {
  /** Share of one core over the window, in percent. */
  cpuPct: number;
  /** Highest RSS sampled in the window, and at its end (KiB). */
  rssMaxKiB: number;
  rssEndKiB: number;
}

export interface Watched { name: string; pid: number }

/** Samples the watched processes every `everyMs`; windows start with mark() and end with read(). */
export class ProcSampler {
  private timer?: NodeJS.Timeout;
  private start = new Map<string, { ticks: number; t: number }>();
  private max = new Map<string, number>();
  private last = new Map<string, ProcSample>();

  constructor(private procs: Watched[], private readonly everyMs = 250) {}

  watch(procs: Watched[]): void {
    this.procs = procs;
  }

  begin(): void {
    this.stop();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    this.mark();
  }

  private sample(): void {
    for (const p of this.procs) {
      const s = readProc(p.pid);
      if (!s) continue;
      this.last.set(p.name, s);
      this.max.set(p.name, Math.max(this.max.get(p.name) ?? 0, s.rssKiB));
    }
  }

  mark(): void {
    const t = performance.now();
    this.max.clear();
    this.sample();
    for (const p of this.procs) {
      const s = this.last.get(p.name);
      if (s) this.start.set(p.name, { ticks: s.ticks, t });
    }
  }

  read(): Record<string, ProcWindow> {
    this.sample();
    const t = performance.now();
    const out: Record<string, ProcWindow> = {};
    for (const p of this.procs) {
      const s = this.last.get(p.name);
      const st = this.start.get(p.name);
      if (!s || !st) continue;
      const secs = (t - st.t) / 1000;
      out[p.name] = {
        cpuPct: secs > 0 ? (100 * (s.ticks - st.ticks)) / ticksPerSecond() / secs : 0,
        rssMaxKiB: this.max.get(p.name) ?? s.rssKiB,
        rssEndKiB: s.rssKiB,
      };
    }
    return out;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export interface RedisSnapshot { calls: Record<string, number>; cpuSec: number; usedMemory: number; totalCommands: number; netBytes?: number }

/** INFO of a Redis server through its own connection; its own INFO calls are left out of counts. */
export class RedisMeter {
  private r: Redis;
  constructor(url: string) {
    this.r = new Redis(url, { connectionName: 'bench-meter', maxRetriesPerRequest: 1, lazyConnect: false });
    this.r.on('error', () => undefined);
  }

  async snapshot(): Promise<RedisSnapshot> {
    const info = await this.r.info('all');
    const calls: Record<string, number> = {};
    let cpuSec = 0;
    let usedMemory = 0;
    let totalCommands = 0;
    let netBytes = 0; // total_net_input_bytes + total_net_output_bytes: what crosses the network (between zones, in a cluster)
    for (const line of info.split('\r\n')) {
      const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
      if (m && m[1] !== 'info') calls[m[1]!] = Number(m[2]);
      else if (line.startsWith('used_cpu_sys:') || line.startsWith('used_cpu_user:')) cpuSec += Number(line.split(':')[1]);
      else if (line.startsWith('used_memory:')) usedMemory = Number(line.split(':')[1]);
      else if (line.startsWith('total_commands_processed:')) totalCommands = Number(line.split(':')[1]);
      else if (line.startsWith('total_net_input_bytes:') || line.startsWith('total_net_output_bytes:')) netBytes += Number(line.split(':')[1]);
    }
    return { calls, cpuSec, usedMemory, totalCommands, netBytes };
  }

  /** A command stream's consumer group: entries read, still pending, and not yet read. */
  async group(stream: string, group: string): Promise<{ read: number; pending: number; lag: number; length: number }> {
    const length = await this.r.xlen(stream);
    const groups = (await this.r.xinfo('GROUPS', stream).catch(() => [])) as unknown[][];
    for (const g of groups) {
      const o: Record<string, unknown> = {};
      for (let i = 0; i + 1 < g.length; i += 2) o[String(g[i])] = g[i + 1];
      if (o.name === group) {
        return { read: Number(o['entries-read'] ?? 0), pending: Number(o.pending ?? 0), lag: Number(o.lag ?? 0), length };
      }
    }
    return { read: 0, pending: 0, lag: length, length };
  }

  close(): void {
    this.r.disconnect();
  }
}

/** Per-command calls between two snapshots. */
export function redisDiff(a: RedisSnapshot, b: RedisSnapshot): { calls: Record<string, number>; total: number; cpuSec: number; memDelta: number; netBytes: number } {
  const calls: Record<string, number> = {};
  let total = 0;
  for (const [k, v] of Object.entries(b.calls)) {
    const d = v - (a.calls[k] ?? 0);
    if (d > 0) {
      calls[k] = d;
      total += d;
    }
  }
  return { calls, total, cpuSec: b.cpuSec - a.cpuSec, memDelta: b.usedMemory - a.usedMemory, netBytes: (b.netBytes ?? 0) - (a.netBytes ?? 0) };
}

export interface EventLoop { p50: number; p99: number; max: number }

/** A service's /metrics text (null when it does not answer). Every scrape resets prom-client's event-loop gauges. */
export async function scrapeMetrics(metricsUrl: string): Promise<string | null> {
  try {
    return await (await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) })).text();
  } catch {
    return null;
  }
}

/** prom-client's event-loop lag gauges (since the previous scrape), in ms beyond the 10 ms sampling interval. */
export function eventLoopOf(text: string | null): EventLoop | null {
  if (!text) return null;
  // prom-client samples every 10 ms (its default precision) and its figures include that interval.
  const get = (q: string) => Math.max(0, Number(new RegExp(`^\\w*nodejs_eventloop_lag_${q}_seconds(?:\\{[^}]*\\})? ([0-9.eE+-]+)`, 'm').exec(text)?.[1] ?? NaN) * 1000 - 10);
  return { p50: get('p50'), p99: get('p99'), max: get('max') };
}

/** Cumulative bucket counts of a Prometheus histogram (series whose labels contain `labels`, summed). */
export function bucketsOf(text: string | null, name: string, labels = ''): Map<number, number> {
  const out = new Map<number, number>();
  if (!text) return out;
  const re = new RegExp(`^${name}_bucket\\{([^}]*)\\} ([0-9.eE+-]+)`, 'gm');
  for (const m of text.matchAll(re)) {
    const lbl = m[1]!;
    if (labels && !lbl.includes(labels)) continue;
    const le = /le="([^"]+)"/.exec(lbl)?.[1];
    if (!le) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    out.set(bound, (out.get(bound) ?? 0) + Number(m[2]));
  }
  return out;
}

/** Quantile (ms) of what a histogram observed between two scrapes, interpolated within buckets. */
export function windowQuantile(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  if (total <= 0) return NaN;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! >= rank) {
      const b = bounds[i]!;
      if (!Number.isFinite(b)) return prevBound * 1000;
      const inBucket = counts[i]! - prevCount;
      const f = inBucket > 0 ? (rank - prevCount) / inBucket : 0;
      return (prevBound + f * (b - prevBound)) * 1000;
    }
    prevBound = bounds[i]!;
    prevCount = counts[i]!;
  }
  return NaN;
}
