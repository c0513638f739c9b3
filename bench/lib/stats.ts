/** Latency summaries in milliseconds, from raw samples (autocannon's own histogram keeps whole milliseconds only). */
export interface Latency {
  min: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
  count: number;
}

export function summarize(samples: ArrayLike<number>): Latency {
  const sorted = Float64Array.from(samples).sort();
  const count = sorted.length;
  if (count === 0) return { min: NaN, p50: NaN, p99: NaN, mean: NaN, max: NaN, count };
  let sum = 0;
  for (const value of sorted) sum += value;
  return { min: sorted[0], p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sum / count, max: sorted[count - 1], count };
}

/** Nearest-rank percentile of sorted samples. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export const round = (value: number, digits = 2): number => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);
