// A mergeable latency histogram: log-spaced bins 2% wide, so per-bucket
// p50/p99 cost a few dozen map entries, not every latency seen.
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);

/** Bin index of a latency; everything at or below 0.01 ms shares bin `MIN_BIN`. */
const MIN_BIN = Math.floor(Math.log(0.01) / LOG_GROWTH);

export function binOf(ms: number): number {
  if (!(ms > 0.01)) return MIN_BIN;
  return Math.ceil(Math.log(ms) / LOG_GROWTH);
}

/** The bin's upper edge, rounded to 0.1 ms: a percentile read from a bin overstates by under 2%. */
export function binValue(bin: number): number {
  return bin <= MIN_BIN ? 0 : Math.round(GROWTH ** bin * 10) / 10;
}

export class LatencyHistogram {
  readonly bins = new Map<number, number>();
  count = 0;

  add(ms: number): void {
    const b = binOf(ms);
    this.bins.set(b, (this.bins.get(b) ?? 0) + 1);
    this.count++;
  }

  merge(other: LatencyHistogram): void {
    for (const [b, n] of other.bins) this.bins.set(b, (this.bins.get(b) ?? 0) + n);
    this.count += other.count;
  }

  /** Nearest-rank percentile (as cli/percentile.ts), to the bin's precision; undefined when empty. */
  percentile(p: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = Math.min(this.count, Math.max(1, Math.ceil((p / 100) * this.count)));
    const sorted = [...this.bins.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const b of sorted) {
      seen += this.bins.get(b)!;
      if (seen >= rank) return binValue(b);
    }
    return binValue(sorted[sorted.length - 1]!);
  }
}
