/**
 * The README's alert table, rendered from the rule list so the documentation cannot drift from
 * the thresholds that are actually deployed.
 */
import { ALERT_STAGES, duration, type AlertRule } from "./dsl";
import { formatThreshold } from "./promql";

const UNIT_SUFFIX: Record<AlertRule["unit"], (v: string) => string> = {
  ratio: (v) => `${Number((Number(v) * 100).toPrecision(6))}%`,
  seconds: (v) => `${v}s`,
  percent: (v) => `${v}%`,
  count: (v) => v,
  "per second": (v) => `${v}/s`,
  nodes: (v) => `${v} nodes down`,
};

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** `prod > 2%, staging > 5%, ...` for one rule; stages without a threshold are omitted. */
export function thresholdText(rule: AlertRule): string {
  const op = rule.breach === "above" ? ">" : "<";
  const per = rule.source.kind === "cloudwatch" ? ` per ${duration(rule.intervalSeconds)}` : "";
  const unitless = rule.unit === "count" && rule.source.kind === "cloudwatch";
  return ALERT_STAGES.filter((s) => rule.thresholds[s] !== undefined)
    .map((s) => `${s} ${op} ${UNIT_SUFFIX[rule.unit](formatThreshold(rule.thresholds[s]!))}${unitless ? per : ""}`)
    .join(", ");
}

/** Where the alert is evaluated, for the table. */
function sourceText(rule: AlertRule): string {
  return rule.source.kind === "promql" ? "Prometheus" : `CloudWatch ${rule.source.namespace} ${rule.source.metricName} (${rule.source.statistic})`;
}

/** Markdown table: alert, meaning, threshold per stage (and period), first thing to check. */
export function alertTableMarkdown(rules: readonly AlertRule[]): string {
  const rows = rules.map((r) =>
    [
      `\`${r.name}\` (${r.severity}, ${sourceText(r)})`,
      r.description,
      `${thresholdText(r)}; for ${duration(r.forSeconds)}`,
      r.firstCheck,
    ]
      .map(cell)
      .join(" | "),
  );
  return ["| Alert | Meaning | Threshold per stage | First thing to check |", "| --- | --- | --- | --- |", ...rows.map((r) => `| ${r} |`)].join("\n");
}
