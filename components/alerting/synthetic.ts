/**
 * Builders for the synthetic series the rule fixtures describe (see RuleFixture in ./dsl.ts),
 * so fixtures read as traffic ("100 req/s, 2% 5xx") instead of raw sample lists.
 */
import type { SyntheticSeries } from "./dsl";

export type Labels = Readonly<Record<string, string>>;

/** `metric{a="1",b="2"}` with labels sorted, values escaped. */
export function seriesName(metric: string, labels: Labels = {}): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return parts.length ? `${metric}{${parts.join(",")}}` : metric;
}

/** A counter increasing by `perSecond`. */
export function counter(metric: string, labels: Labels, perSecond: number): SyntheticSeries {
  return { series: seriesName(metric, labels), kind: "counter", value: perSecond };
}

/** A gauge at `value`. */
export function gauge(metric: string, labels: Labels, value: number): SyntheticSeries {
  return { series: seriesName(metric, labels), kind: "gauge", value };
}

/** Bucket bounds of the synthetic histograms (prom-client's defaults, seconds). */
export const SYNTHETIC_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/**
 * A Prometheus histogram (`_bucket` per bound and `+Inf`, `_sum`, `_count`) receiving
 * `perSecond` observations that all take `observedSeconds`. Bounds are ~2.5x apart, so with
 * observations at 4x a threshold the estimated p99 is above it, and at 1/4 below it.
 */
export function histogram(metric: string, labels: Labels, perSecond: number, observedSeconds: number): SyntheticSeries[] {
  const bucket = (le: string, hit: boolean) => counter(`${metric}_bucket`, { ...labels, le }, hit ? perSecond : 0);
  return [
    ...SYNTHETIC_BUCKETS.map((le) => bucket(String(le), observedSeconds <= le)),
    bucket("+Inf", true),
    counter(`${metric}_sum`, labels, perSecond * observedSeconds),
    counter(`${metric}_count`, labels, perSecond),
  ];
}
