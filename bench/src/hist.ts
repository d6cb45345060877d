// A mergeable latency histogram: log-spaced buckets, 1 % wide, from 1 us to about 100 s.
// Workers send their counts to the coordinator, which merges them before taking percentiles.

const GROWTH = 1.01;
const LOG_G = Math.log(GROWTH);
const MIN_US = 1;
const BUCKETS = Math.ceil(Math.log(1e8 / MIN_US) / LOG_G) + 1;

export interface Percentiles {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export class Histogram {
  counts: Uint32Array;
  count = 0;
  sum = 0;
  max = 0;

  constructor() {
    this.counts = new Uint32Array(BUCKETS);
  }

  /** Records one value in milliseconds. */
  record(ms: number): void {
    const us = Math.max(MIN_US, ms * 1000);
    const i = Math.min(BUCKETS - 1, Math.floor(Math.log(us / MIN_US) / LOG_G));
    this.counts[i]! += 1;
    this.count += 1;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  merge(o: Histogram | HistogramJson): this {
    const counts = o instanceof Histogram ? o.counts : decodeCounts(o.counts);
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += counts[i] ?? 0;
    this.count += o.count;
    this.sum += o.sum;
    this.max = Math.max(this.max, o.max);
    return this;
  }

  /** The value (ms) at quantile q in [0, 1]: the upper edge of its bucket, never above max. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, (MIN_US * GROWTH ** (i + 1)) / 1000);
    }
    return this.max;
  }

  summary(): Percentiles {
    return {
      count: this.count,
      mean: this.count ? this.sum / this.count : 0,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      max: this.max,
    };
  }

  toJSON(): HistogramJson {
    return { counts: encodeCounts(this.counts), count: this.count, sum: this.sum, max: this.max };
  }

  static from(j: HistogramJson): Histogram {
    return new Histogram().merge(j);
  }
}

/** Sparse form for IPC: [index, count, index, count, ...]. */
export interface HistogramJson {
  counts: number[];
  count: number;
  sum: number;
  max: number;
}

function encodeCounts(c: Uint32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < c.length; i++) if (c[i]) out.push(i, c[i]!);
  return out;
}

function decodeCounts(sparse: number[]): Uint32Array {
  const c = new Uint32Array(BUCKETS);
  for (let i = 0; i + 1 < sparse.length; i += 2) c[sparse[i]!] = sparse[i + 1]!;
  return c;
}
