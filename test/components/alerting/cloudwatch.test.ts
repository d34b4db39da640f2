import { describe, expect, it } from "vitest";
import { alarmSpecs, isCloudWatch } from "../../../components/alerting/cloudwatch";
import { CLOUDWATCH_METRICS, memberClusterIds } from "../../../components/alerting/cloudwatch-metrics";
import { PLATFORM_ALERT_RULES } from "../../../components/alerting/rules";

const targets = {
  elasticache: [
    { key: "cache-1", dimensionValue: "platform-redis-001" },
    { key: "cache-2", dimensionValue: "platform-redis-002" },
  ],
  loadbalancer: [{ key: "public", dimensionValue: "app/ingress/0123456789abcdef" }],
};

describe("alarmSpecs", () => {
  const specs = alarmSpecs(PLATFORM_ALERT_RULES, "prod", targets, "platform-prod");
  const cwRules = PLATFORM_ALERT_RULES.filter(isCloudWatch);

  it("creates one alarm per rule and watched resource", () => {
    const expected = cwRules.flatMap((r) => targets[r.source.dimensionsFrom].map((t) => `${r.name}-${t.key}`));
    expect(specs.map((s) => s.key).sort()).toEqual(expected.sort());
    expect(new Set(specs.map((s) => s.alarmName)).size).toBe(specs.length);
  });

  it("uses a namespace, metric and dimension valid for the resource", () => {
    for (const s of specs) {
      const table = CLOUDWATCH_METRICS[s.namespace as keyof typeof CLOUDWATCH_METRICS];
      expect(table, s.key).toBeDefined();
      expect(table.metrics as readonly string[], s.key).toContain(s.metricName);
      expect(s.dimensionName, s.key).toBe(table.dimension);
    }
    const cache = specs.filter((s) => s.namespace === "AWS/ElastiCache");
    expect(cache.map((s) => [s.dimensionName, s.dimensionValue])).toEqual(expect.arrayContaining([["CacheClusterId", "platform-redis-001"], ["CacheClusterId", "platform-redis-002"]]));
    const lb = specs.filter((s) => s.namespace === "AWS/ApplicationELB");
    expect(lb.every((s) => s.dimensionName === "LoadBalancer" && s.dimensionValue === "app/ingress/0123456789abcdef")).toBe(true);
  });

  it.each(["dev", "staging", "prod"] as const)("takes thresholds and periods from the typed rules (%s)", (stage) => {
    for (const s of alarmSpecs(PLATFORM_ALERT_RULES, stage, targets, `platform-${stage}`)) {
      const rule = cwRules.find((r) => r.name === s.rule)!;
      expect(s.threshold).toBe(rule.thresholds[stage]);
      expect(s.period).toBe(rule.intervalSeconds);
      expect(s.evaluationPeriods * s.period).toBe(rule.forSeconds);
      expect(s.datapointsToAlarm).toBe(s.evaluationPeriods);
      expect(s.comparisonOperator).toBe(rule.breach === "above" ? "GreaterThanThreshold" : "LessThanThreshold");
      expect(s.treatMissingData).toBe(rule.source.treatMissingData);
      expect(s.alarmName).toBe(`platform-${stage}-${s.key}`);
    }
  });

  it("sends percentiles as extendedStatistic and simple statistics as statistic", () => {
    const p99 = specs.find((s) => s.rule === "LoadBalancerTargetLatencyP99")!;
    expect([p99.statistic, p99.extendedStatistic]).toEqual([undefined, "p99"]);
    const mem = specs.find((s) => s.rule === "ElastiCacheMemoryHigh")!;
    expect([mem.statistic, mem.extendedStatistic]).toEqual(["Maximum", undefined]);
  });

  it("creates nothing for the local stage or without targets", () => {
    expect(alarmSpecs(PLATFORM_ALERT_RULES, "local", targets, "p")).toEqual([]);
    expect(alarmSpecs(PLATFORM_ALERT_RULES, "prod", { elasticache: [], loadbalancer: [] }, "p")).toEqual([]);
  });
});

describe("memberClusterIds", () => {
  it("follows ElastiCache's member naming", () => {
    expect(memberClusterIds("platform-redis", 3)).toEqual(["platform-redis-001", "platform-redis-002", "platform-redis-003"]);
    expect(memberClusterIds("x", 0)).toEqual([]);
  });
});
