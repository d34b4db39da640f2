/**
 * A small alert DSL: one typed entry per alert (title, evaluation interval, period, per-stage
 * threshold, query or CloudWatch metric, severity, who to notify). The same entry compiles to a
 * PrometheusRule or a CloudWatch alarm, renders the README table, and generates its own
 * `promtool test rules` cases, so a rule cannot ship undocumented or untested.
 */
import { CLOUDWATCH_METRICS, type CloudWatchNamespace } from "./cloudwatch-metrics";

export type AlertStage = "local" | "dev" | "staging" | "prod";
export const ALERT_STAGES: readonly AlertStage[] = ["local", "dev", "staging", "prod"];
export type Severity = "critical" | "warning";
/** Threshold per stage; a stage without one does not get the rule. */
export type StageThresholds = Readonly<Partial<Record<AlertStage, number>>>;

/** Scrape interval of the synthetic series in rule tests; rule intervals are multiples of it. */
export const SYNTHETIC_SCRAPE_SECONDS = 15;

/** What a PromQL query may depend on besides the threshold. */
export interface QueryContext {
  /** Range for rate()/histogram windows, a PromQL duration (`2m`). */
  readonly window: string;
  /** Namespace the platform's workloads run in (series carry it as the `namespace` label). */
  readonly namespace: string;
  /** Size of one Cassandra data volume, bytes (disk-use rules divide by it). @default 100 GiB */
  readonly cassandraVolumeBytes?: number;
}

/** One synthetic series for `promtool test rules`. */
export interface SyntheticSeries {
  /** Series in PromQL notation: `metric{label="value"}`. */
  readonly series: string;
  /** `counter`: `value` is the increase per second; `gauge`: `value` is the level. */
  readonly kind: "counter" | "gauge";
  readonly value: number;
}

/** Healthy and breaching traffic for one rule; both lists name the same series. */
export interface RuleFixture {
  healthy(threshold: number, ctx: QueryContext): SyntheticSeries[];
  breach(threshold: number, ctx: QueryContext): SyntheticSeries[];
  /** Labels the firing alert carries from the query's `by (...)`. @default - none */
  alertLabels?(ctx: QueryContext): Record<string, string>;
}

export interface PromQlSource {
  readonly kind: "promql";
  /** The watched value; the compiler appends the comparison and the stage threshold. */
  readonly query: (ctx: QueryContext) => string;
  /** Range of the rate()/histogram window in seconds; 0 for an instant gauge. */
  readonly windowSeconds: number;
  /** Every metric name the query reads (checked against what the apps and exporters export). */
  readonly metrics: readonly string[];
  /** Synthetic traffic proving the rule fires and stays silent. */
  readonly fixture: RuleFixture;
}

export interface CloudWatchSource {
  readonly kind: "cloudwatch";
  readonly namespace: CloudWatchNamespace;
  readonly metricName: string;
  /** A simple statistic or a percentile (`p99`, sent as extendedStatistic). */
  readonly statistic: "Average" | "Maximum" | "Minimum" | "Sum" | "SampleCount" | `p${number}`;
  /** Which resources the alarm is created for (one alarm per resource). */
  readonly dimensionsFrom: "elasticache" | "loadbalancer";
  /** What a period without data means (counts are absent when zero). */
  readonly treatMissingData: "missing" | "ignore" | "breaching" | "notBreaching";
}

export interface AlertRule {
  /** Alert name, PascalCase (the Prometheus `alertname`, part of the alarm name). */
  readonly name: string;
  /** One-line summary. */
  readonly title: string;
  /** What it means when it fires. */
  readonly description: string;
  /** The first thing to check when it fires. */
  readonly firstCheck: string;
  readonly severity: Severity;
  /** Team or channel to route to (Alertmanager `notify` label; CloudWatch always uses the SNS topic). */
  readonly notify: string;
  /** Rule group (gateway, telemetry, cassandra, redis, aws). */
  readonly area: string;
  /** Evaluation interval (PromQL group interval / CloudWatch period), seconds. */
  readonly intervalSeconds: number;
  /** How long the condition must hold before it fires, seconds. */
  readonly forSeconds: number;
  /** Fires when the value is above or below the threshold. */
  readonly breach: "above" | "below";
  readonly thresholds: StageThresholds;
  /** Unit of the threshold, for humans (README, annotations). */
  readonly unit: "ratio" | "seconds" | "percent" | "count" | "per second" | "nodes";
  readonly source: PromQlSource | CloudWatchSource;
}

/** Seconds as the shortest exact PromQL/Prometheus duration (`90s`, `5m`, `1h`). */
export function duration(seconds: number): string {
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** Rules that apply to `stage` (those with a threshold for it). */
export function rulesForStage(rules: readonly AlertRule[], stage: AlertStage): AlertRule[] {
  return rules.filter((r) => r.thresholds[stage] !== undefined);
}

/** Problems in a rule list, each naming the rule and the bad value; empty when valid. */
export function validateRules(rules: readonly AlertRule[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, r] of rules.entries()) {
    const at = `rules[${i}] (${r.name})`;
    const bad = (ok: boolean, msg: string) => void (ok || problems.push(`${at}: ${msg}`));
    bad(/^[A-Z][A-Za-z0-9]{2,62}$/.test(r.name), `name must be PascalCase, got "${r.name}"`);
    bad(!seen.has(r.name), `duplicate name "${r.name}"`);
    seen.add(r.name);
    for (const key of ["title", "description", "firstCheck", "notify"] as const) {
      bad(typeof r[key] === "string" && r[key].trim().length > 0, `${key} must not be empty`);
    }
    bad(/^[a-z][a-z0-9-]*$/.test(r.area), `area must be lower-case, got "${r.area}"`);
    bad(r.severity === "critical" || r.severity === "warning", `severity must be critical|warning, got "${r.severity}"`);
    bad(r.breach === "above" || r.breach === "below", `breach must be above|below, got "${r.breach}"`);
    const stages = Object.keys(r.thresholds);
    bad(stages.length > 0, "thresholds: needs a value for at least one stage");
    for (const s of stages) {
      bad((ALERT_STAGES as readonly string[]).includes(s), `thresholds: unknown stage "${s}"`);
      bad(Number.isFinite(r.thresholds[s as AlertStage]), `thresholds.${s} must be a finite number, got ${r.thresholds[s as AlertStage]}`);
    }
    bad(Number.isInteger(r.forSeconds) && r.forSeconds > 0, `forSeconds must be a positive integer, got ${r.forSeconds}`);
    bad(r.forSeconds % r.intervalSeconds === 0, `forSeconds (${r.forSeconds}) must be a multiple of intervalSeconds (${r.intervalSeconds})`);
    if (r.source.kind === "promql") validatePromQl(r, r.source, bad);
    else validateCloudWatch(r, r.source, bad);
  }
  return problems;
}

type Check = (ok: boolean, msg: string) => void;

function validatePromQl(r: AlertRule, src: PromQlSource, bad: Check): void {
  const step = SYNTHETIC_SCRAPE_SECONDS;
  bad(Number.isInteger(r.intervalSeconds) && r.intervalSeconds >= step && r.intervalSeconds % step === 0, `intervalSeconds must be a multiple of ${step}, got ${r.intervalSeconds}`);
  bad(Number.isInteger(src.windowSeconds) && src.windowSeconds >= 0 && src.windowSeconds % step === 0, `windowSeconds must be 0 or a multiple of ${step}, got ${src.windowSeconds}`);
  // The period must outlast the window by two evaluations: otherwise a spike shorter than the
  // period keeps the windowed value high for the whole period and fires anyway.
  bad(r.forSeconds >= src.windowSeconds + 2 * r.intervalSeconds, `forSeconds (${r.forSeconds}) must be >= windowSeconds (${src.windowSeconds}) + 2 * intervalSeconds (${r.intervalSeconds})`);
  bad(src.metrics.length > 0, "source.metrics must list the metrics the query reads");
  const query = src.query({ window: duration(src.windowSeconds || 60), namespace: "platform" });
  for (const m of src.metrics) bad(query.includes(m), `source.metrics: "${m}" does not occur in the query`);
  bad(!/[<>]=?\s*[\d.]+\s*$/.test(query), "source.query must not end in a comparison (the compiler appends the stage threshold)");
}

function validateCloudWatch(r: AlertRule, src: CloudWatchSource, bad: Check): void {
  const table = CLOUDWATCH_METRICS[src.namespace];
  bad(table !== undefined, `source.namespace "${src.namespace}" is not a supported CloudWatch namespace`);
  if (table) {
    bad((table.metrics as readonly string[]).includes(src.metricName), `source.metricName "${src.metricName}" is not a ${src.namespace} metric`);
    bad(table.resource === src.dimensionsFrom, `source.dimensionsFrom "${src.dimensionsFrom}" does not match ${src.namespace} (${table.resource})`);
  }
  bad(/^(Average|Maximum|Minimum|Sum|SampleCount|p\d{1,2}(\.\d+)?)$/.test(src.statistic), `source.statistic "${src.statistic}" is not a CloudWatch statistic`);
  // CloudWatch periods: 10 or 30 (high resolution) or a multiple of 60.
  const p = r.intervalSeconds;
  bad(p === 10 || p === 30 || (Number.isInteger(p) && p > 0 && p % 60 === 0), `intervalSeconds (the alarm period) must be 10, 30 or a multiple of 60, got ${p}`);
  bad(r.thresholds.local === undefined, "thresholds.local: the local stage has no AWS resources to alarm on");
}
