import { describe, expect, it } from "vitest";
import { ALERT_STAGES, rulesForStage } from "../../../components/alerting/dsl";
import { compileGroups, compileRule, formatThreshold, isPromQl, prometheusRuleObject } from "../../../components/alerting/promql";
import { PLATFORM_ALERT_RULES } from "../../../components/alerting/rules";
import { validateManifest } from "../../support/kube-schema";

const ctx = { stage: "prod", region: "eu-west-1", namespace: "platform" } as const;
const byName = (n: string) => PLATFORM_ALERT_RULES.filter(isPromQl).find((r) => r.name === n)!;

describe("compileRule", () => {
  it("appends the stage threshold to the parenthesised value and sets for, labels, annotations", () => {
    const r = compileRule(byName("GatewayHighP99Latency"), ctx);
    expect(r).toEqual({
      alert: "GatewayHighP99Latency",
      expr: '(histogram_quantile(0.99, sum by (le) (rate(gateway_http_request_duration_seconds_bucket{namespace="platform"}[5m])))) > 0.5',
      for: "10m",
      labels: { severity: "warning", notify: "platform-team", stage: "prod", region: "eu-west-1" },
      annotations: {
        summary: "Gateway p99 latency above target",
        description: expect.stringContaining("99th percentile"),
        first_check: expect.stringContaining("Cache hit ratio"),
        threshold: "above 0.5 (seconds) for 10m",
      },
    });
  });

  it("uses each stage's own threshold and `<` for below-rules", () => {
    expect(compileRule(byName("GatewayHighP99Latency"), { ...ctx, stage: "dev" }).expr).toMatch(/ > 2$/);
    expect(compileRule(byName("GatewayHigh5xxRatio"), { ...ctx, stage: "staging" }).expr).toMatch(/ > 0\.05$/);
    expect(compileRule(byName("RedisDown"), { ...ctx, stage: "local" }).expr).toBe('(min(redis_up{namespace="platform"}) or vector(0)) < 1');
  });

  it("selects series by the given namespace", () => {
    expect(compileRule(byName("GatewayHigh5xxRatio"), { ...ctx, namespace: "team-a" }).expr).not.toContain('namespace="platform"');
    expect(compileRule(byName("GatewayHigh5xxRatio"), { ...ctx, namespace: "team-a" }).expr).toContain('namespace="team-a"');
  });

  it("refuses a stage without a threshold", () => {
    expect(() => compileRule(byName("RedisDown"), ctx)).toThrow(/RedisDown: no threshold for stage prod/);
  });

  it("formats thresholds without float noise", () => {
    expect(formatThreshold(0.1 + 0.2)).toBe("0.3");
    expect(formatThreshold(80)).toBe("80");
  });
});

describe("compileGroups", () => {
  it("groups by area and interval, keeps rule order, and only takes the stage's PromQL rules", () => {
    const groups = compileGroups(PLATFORM_ALERT_RULES, ctx);
    expect(groups.map((g) => [g.name, g.interval, g.rules.map((r) => r.alert)])).toEqual([
      ["platform-gateway-30s", "30s", ["GatewayHigh5xxRatio", "GatewayHighP99Latency", "GatewayUpstreamFailures"]],
      ["platform-telemetry-1m", "1m", ["TelemetryIngestRejections"]],
      ["platform-cassandra-30s", "30s", ["CassandraNodeDown", "CassandraHighWriteLatency", "CassandraReadLatencyP99", "CassandraWriteLatencyP99", "CassandraDroppedMutations", "CassandraHeapPressure"]],
      ["platform-cassandra-1m", "1m", ["CassandraPendingCompactions", "CassandraDiskUsageHigh"]],
      ["platform-cassandra-backup-5m", "5m", ["CassandraBackupTooOld", "CassandraRepairOverdue"]],
      ["platform-dns-cache-1m", "1m", ["DnsCacheRunNotCompleted"]],
    ]);
    const local = compileGroups(PLATFORM_ALERT_RULES, { ...ctx, stage: "local" }).flatMap((g) => g.rules.map((r) => r.alert));
    expect(local).toEqual(expect.arrayContaining(["RedisMemoryHigh", "RedisEvictions", "RedisDown", "RedisConnectedClientsHigh"]));
    expect(local.some((a) => a.startsWith("ElastiCache") || a.startsWith("LoadBalancer"))).toBe(false);
  });
});

describe("prometheusRuleObject", () => {
  it.each(ALERT_STAGES)("validates against the PrometheusRule schema (%s)", async (stage) => {
    const obj = prometheusRuleObject("platform-alerts", PLATFORM_ALERT_RULES, { ...ctx, stage });
    await validateManifest(obj);
    const rules = (obj.spec as any).groups.flatMap((g: any) => g.rules);
    expect(rules).toHaveLength(rulesForStage(PLATFORM_ALERT_RULES, stage).filter(isPromQl).length);
  });

  it("carries the standard labels and the Prometheus selector labels", () => {
    const obj = prometheusRuleObject("platform-alerts", PLATFORM_ALERT_RULES, ctx);
    expect(obj.metadata).toEqual({
      name: "platform-alerts",
      namespace: "platform",
      labels: {
        "app.kubernetes.io/name": "alerting",
        "app.kubernetes.io/component": "alert-rules",
        "app.kubernetes.io/part-of": "platform",
        "app.kubernetes.io/managed-by": "pulumi",
        // What kube-prometheus-stack's default ruleSelector matches (issue #19).
        release: "kube-prometheus-stack",
      },
    });
    expect(prometheusRuleObject("x", PLATFORM_ALERT_RULES, ctx, { release: "prom" }).metadata.labels).toMatchObject({ release: "prom" });
  });
});
