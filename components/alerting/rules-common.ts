/** Conventions shared by the rule files (routing targets, selectors, fixture traffic shapes). */
import type { PromQlSource, QueryContext, SyntheticSeries } from "./dsl";
import { histogram } from "./synthetic";

export const ns = (ctx: QueryContext) => `namespace="${ctx.namespace}"`;
/** Pages someone: the platform's on-call rotation. */
export const ONCALL = "platform-oncall";
/** Business hours: the platform team's channel. */
export const TEAM = "platform-team";

/** A failing fraction well above any threshold below 0.5, and one well below the threshold. */
export const breachFraction = (t: number) => Math.min(0.9, 0.5 + t);
export const healthyFraction = (t: number) => t / 5;

/** Two counters splitting `perSecond` into good and bad by `badFraction`. */
export function split(good: (n: number) => SyntheticSeries, bad: (n: number) => SyntheticSeries, perSecond: number, badFraction: number) {
  return [good(perSecond * (1 - badFraction)), bad(perSecond * badFraction)];
}

/** One side of a ratio: a counter and an optional extra label matcher (e.g. `status=~"5.."`). */
export interface RatioTerm {
  readonly metric: string;
  readonly matcher?: string;
}

/**
 * A "bad share of all" rule source: `sum(rate(bad)) / sum(rate(all))` over the window, with the
 * fixture traffic built by `series(ctx, badFraction)` well below and well above the threshold.
 */
export function ratioSource(spec: {
  windowSeconds: number;
  bad: RatioTerm;
  all: RatioTerm;
  series: (ctx: QueryContext, badFraction: number) => SyntheticSeries[];
}): PromQlSource {
  const rate = (term: RatioTerm, c: QueryContext) =>
    `sum(rate(${term.metric}{${ns(c)}${term.matcher ? `,${term.matcher}` : ""}}[${c.window}]))`;
  return {
    kind: "promql",
    windowSeconds: spec.windowSeconds,
    metrics: [...new Set([spec.bad.metric, spec.all.metric])],
    query: (c) => `${rate(spec.bad, c)} / ${rate(spec.all, c)}`,
    fixture: {
      healthy: (t, c) => spec.series(c, healthyFraction(t)),
      breach: (t, c) => spec.series(c, breachFraction(t)),
    },
  };
}

/**
 * A "p99 latency above target" rule source: `histogram_quantile(0.99, …)` of a histogram over the
 * window, with fixture traffic of `perSecond` observations at a quarter and at four times the
 * threshold (`labels` are the series' own labels besides `namespace`).
 */
export function p99Source(spec: { windowSeconds: number; metric: string; labels: Record<string, string>; perSecond: number }): PromQlSource {
  const observed = (c: QueryContext, seconds: number) => histogram(spec.metric, { namespace: c.namespace, ...spec.labels }, spec.perSecond, seconds);
  return {
    kind: "promql",
    windowSeconds: spec.windowSeconds,
    metrics: [spec.metric],
    query: (c) => `histogram_quantile(0.99, sum by (le) (rate(${spec.metric}_bucket{${ns(c)}}[${c.window}])))`,
    fixture: {
      healthy: (t, c) => observed(c, t / 4),
      breach: (t, c) => observed(c, t * 4),
    },
  };
}
