/**
 * Compiles the PromQL rules of a stage into Prometheus rule groups (the `spec.groups` of a
 * prometheus-operator PrometheusRule, and the same text `promtool check rules` reads).
 */
import type { KubeObject } from "../shared/kube";
import { standardLabels } from "../shared/labels";
import { DEFAULT_PROMETHEUS_SELECTOR_LABELS } from "./monitors";
import { duration, rulesForStage, type AlertRule, type AlertStage, type PromQlSource, type QueryContext } from "./dsl";

export interface PromRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PromRuleGroup {
  name: string;
  interval: string;
  rules: PromRule[];
}

export interface CompileContext {
  readonly stage: AlertStage;
  readonly region: string;
  readonly namespace: string;
  /** Size of one Cassandra data volume in GiB (the stack's `cassandra.storageGiB`). @default 100 */
  readonly cassandraVolumeGiB?: number;
}

export const isPromQl = (r: AlertRule): r is AlertRule & { source: PromQlSource } => r.source.kind === "promql";

/** The query context a rule is compiled with (its own window). */
export function queryContext(rule: AlertRule & { source: PromQlSource }, namespace: string, cassandraVolumeGiB?: number): QueryContext {
  return {
    window: duration(rule.source.windowSeconds || 60),
    namespace,
    ...(cassandraVolumeGiB !== undefined ? { cassandraVolumeBytes: cassandraVolumeGiB * 1024 ** 3 } : {}),
  };
}

/** Threshold as PromQL/annotation text (no exponent noise for ratios). */
export function formatThreshold(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** One rule for one stage: value, comparison and the stage's threshold. */
export function compileRule(rule: AlertRule & { source: PromQlSource }, ctx: CompileContext): PromRule {
  const threshold = rule.thresholds[ctx.stage];
  if (threshold === undefined) throw new Error(`${rule.name}: no threshold for stage ${ctx.stage}`);
  const op = rule.breach === "above" ? ">" : "<";
  const t = formatThreshold(threshold);
  return {
    alert: rule.name,
    // Parenthesised so the comparison applies to the whole value, whatever its operators.
    expr: `(${rule.source.query(queryContext(rule, ctx.namespace, ctx.cassandraVolumeGiB))}) ${op} ${t}`,
    for: duration(rule.forSeconds),
    labels: { severity: rule.severity, notify: rule.notify, stage: ctx.stage, region: ctx.region },
    annotations: {
      summary: rule.title,
      description: rule.description,
      first_check: rule.firstCheck,
      threshold: `${rule.breach} ${t} (${rule.unit}) for ${duration(rule.forSeconds)}`,
    },
  };
}

/** Groups by area and evaluation interval, in rule order; rules without a stage threshold are left out. */
export function compileGroups(rules: readonly AlertRule[], ctx: CompileContext): PromRuleGroup[] {
  const groups = new Map<string, PromRuleGroup>();
  for (const rule of rulesForStage(rules, ctx.stage).filter(isPromQl)) {
    const interval = duration(rule.intervalSeconds);
    const name = `platform-${rule.area}-${interval}`;
    const group = groups.get(name) ?? { name, interval, rules: [] };
    group.rules.push(compileRule(rule, ctx));
    groups.set(name, group);
  }
  return [...groups.values()];
}

/** The PrometheusRule custom resource holding every PromQL rule of the stage. */
export function prometheusRuleObject(
  name: string,
  rules: readonly AlertRule[],
  ctx: CompileContext,
  selectorLabels: Readonly<Record<string, string>> = DEFAULT_PROMETHEUS_SELECTOR_LABELS,
): KubeObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name, namespace: ctx.namespace, labels: { ...standardLabels("alerting", "alert-rules"), ...selectorLabels } },
    spec: { groups: compileGroups(rules, ctx) },
  };
}
