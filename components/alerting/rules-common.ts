/** Conventions shared by the rule files (routing targets, selectors, fixture traffic shapes). */
import type { QueryContext, SyntheticSeries } from "./dsl";

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

