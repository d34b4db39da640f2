/**
 * Compiles the CloudWatch rules of a stage into MetricAlarm arguments, one alarm per watched
 * resource (ElastiCache metrics are per member cluster, load-balancer metrics per LB).
 */
import type * as pulumi from "@pulumi/pulumi";
import { CLOUDWATCH_METRICS } from "./cloudwatch-metrics";
import { duration, rulesForStage, type AlertRule, type AlertStage, type CloudWatchSource } from "./dsl";
import { formatThreshold } from "./promql";

/** A resource an alarm watches: a stable key for names and its dimension value. */
export interface AlarmTarget {
  /** Stable, lower-case key used in logical and alarm names (`cache-1`, `public`). */
  readonly key: string;
  /** The dimension value (CacheClusterId, or the LoadBalancer ARN suffix `app/<name>/<id>`). */
  readonly dimensionValue: pulumi.Input<string>;
}

export interface AlarmTargets {
  readonly elasticache: readonly AlarmTarget[];
  readonly loadbalancer: readonly AlarmTarget[];
}

export interface AlarmSpec {
  /** Rule the alarm comes from. */
  readonly rule: string;
  /** `<rule>-<target key>`, unique per stack; used as the Pulumi logical name suffix. */
  readonly key: string;
  readonly alarmName: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensionName: string;
  readonly dimensionValue: pulumi.Input<string>;
  readonly statistic?: string;
  readonly extendedStatistic?: string;
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
  readonly treatMissingData: CloudWatchSource["treatMissingData"];
  readonly alarmDescription: string;
}

export const isCloudWatch = (r: AlertRule): r is AlertRule & { source: CloudWatchSource } => r.source.kind === "cloudwatch";

/**
 * Alarm arguments for `stage`. The period is the rule's interval and the alarm needs every
 * datapoint of its `for` window breaching (N of N), the CloudWatch equivalent of PromQL `for`.
 */
export function alarmSpecs(rules: readonly AlertRule[], stage: AlertStage, targets: AlarmTargets, alarmNamePrefix: string): AlarmSpec[] {
  const specs: AlarmSpec[] = [];
  for (const rule of rulesForStage(rules, stage).filter(isCloudWatch)) {
    const src = rule.source;
    const threshold = rule.thresholds[stage]!;
    const periods = rule.forSeconds / rule.intervalSeconds;
    const percentile = src.statistic.startsWith("p");
    for (const target of targets[src.dimensionsFrom]) {
      specs.push({
        rule: rule.name,
        key: `${rule.name}-${target.key}`,
        alarmName: `${alarmNamePrefix}-${rule.name}-${target.key}`,
        namespace: src.namespace,
        metricName: src.metricName,
        dimensionName: CLOUDWATCH_METRICS[src.namespace].dimension,
        dimensionValue: target.dimensionValue,
        ...(percentile ? { extendedStatistic: src.statistic } : { statistic: src.statistic }),
        period: rule.intervalSeconds,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        threshold,
        comparisonOperator: rule.breach === "above" ? "GreaterThanThreshold" : "LessThanThreshold",
        treatMissingData: src.treatMissingData,
        alarmDescription: `${rule.title}: ${src.metricName} ${src.statistic} ${rule.breach} ${formatThreshold(threshold)} (${rule.unit}) for ${duration(rule.forSeconds)}. First check: ${rule.firstCheck}`.slice(0, 1024),
      });
    }
  }
  return specs;
}
