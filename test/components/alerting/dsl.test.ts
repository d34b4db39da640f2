import { describe, expect, it } from "vitest";
import { duration, rulesForStage, validateRules, type AlertRule } from "../../../components/alerting/dsl";
import { PLATFORM_ALERT_RULES } from "../../../components/alerting/rules";

const rule = (name: string) => PLATFORM_ALERT_RULES.find((r) => r.name === name)!;

describe("duration", () => {
  it.each([
    [30, "30s"],
    [90, "90s"],
    [120, "2m"],
    [3600, "1h"],
    [5400, "90m"],
  ])("%i -> %s", (s, d) => expect(duration(s)).toBe(d));
});

describe("validateRules", () => {
  it("accepts the platform rules", () => {
    expect(validateRules(PLATFORM_ALERT_RULES)).toEqual([]);
  });

  it("covers the foundation issue's required alerts", () => {
    const names = PLATFORM_ALERT_RULES.map((r) => r.name);
    for (const n of ["GatewayHigh5xxRatio", "GatewayHighP99Latency", "GatewayUpstreamFailures", "CassandraNodeDown", "CassandraHighWriteLatency", "RedisMemoryHigh", "RedisEvictions", "ElastiCacheMemoryHigh", "ElastiCacheEvictions", "TelemetryIngestRejections"]) {
      expect(names).toContain(n);
    }
  });

  it("gives every stage a memory and eviction alert for its Redis (in-cluster or ElastiCache)", () => {
    for (const stage of ["local", "dev", "staging", "prod"] as const) {
      const names = rulesForStage(PLATFORM_ALERT_RULES, stage).map((r) => r.name);
      expect(names.some((n) => /MemoryHigh$/.test(n) && /Redis|ElastiCache/.test(n)), stage).toBe(true);
      expect(names.some((n) => /(Redis|ElastiCache)Evictions$/.test(n)), stage).toBe(true);
    }
  });

  it("keeps prod thresholds at least as strict as dev", () => {
    for (const r of PLATFORM_ALERT_RULES) {
      const { dev, prod } = r.thresholds;
      if (dev === undefined || prod === undefined) continue;
      if (r.breach === "above") expect(prod, r.name).toBeLessThanOrEqual(dev);
      else expect(prod, r.name).toBeGreaterThanOrEqual(dev);
    }
  });

  it("names the rule and the bad value for every problem", () => {
    const p99 = rule("GatewayHighP99Latency");
    const mem = rule("ElastiCacheMemoryHigh");
    const problems = validateRules([
      { ...p99, name: "bad name", severity: "page" as never, thresholds: { prod: Number.NaN } },
      { ...rule("GatewayHigh5xxRatio"), forSeconds: 150 },
      { ...mem, thresholds: { local: 90 }, source: { ...(mem.source as any), metricName: "MemoryPercent" } },
      { ...rule("RedisDown"), name: "RedisDown" },
      { ...rule("RedisDown") },
    ] as AlertRule[]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/rules\[0\] \(bad name\): name must be PascalCase, got "bad name"/),
        expect.stringMatching(/rules\[0\].*severity must be critical\|warning, got "page"/),
        expect.stringMatching(/rules\[0\].*thresholds\.prod must be a finite number, got NaN/),
        expect.stringMatching(/rules\[1\] \(GatewayHigh5xxRatio\): forSeconds \(150\) must be >= windowSeconds \(120\) \+ 2 \* intervalSeconds \(30\)/),
        expect.stringMatching(/rules\[2\].*metricName "MemoryPercent" is not a AWS\/ElastiCache metric/),
        expect.stringMatching(/rules\[2\].*thresholds\.local: the local stage has no AWS resources/),
        expect.stringMatching(/rules\[4\] \(RedisDown\): duplicate name "RedisDown"/),
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it("rejects a query whose metric list does not match or that carries its own comparison", () => {
    const base = rule("RedisEvictions");
    const src = base.source as Extract<AlertRule["source"], { kind: "promql" }>;
    const problems = validateRules([
      { ...base, source: { ...src, metrics: [...src.metrics, "redis_connected_clients"] } },
      { ...base, name: "RedisEvictions2", source: { ...src, query: (c) => `${src.query(c)} > 5` } },
    ]);
    expect(problems).toEqual([
      'rules[0] (RedisEvictions): source.metrics: "redis_connected_clients" does not occur in the query',
      "rules[1] (RedisEvictions2): source.query must not end in a comparison (the compiler appends the stage threshold)",
    ]);
  });

  it("rejects CloudWatch periods and dimensions that do not fit the namespace", () => {
    const lb = rule("LoadBalancer5xx");
    const problems = validateRules([{ ...lb, intervalSeconds: 45, forSeconds: 90, source: { ...(lb.source as any), dimensionsFrom: "elasticache", statistic: "Median" } }]);
    expect(problems).toEqual([
      'rules[0] (LoadBalancer5xx): source.dimensionsFrom "elasticache" does not match AWS/ApplicationELB (loadbalancer)',
      'rules[0] (LoadBalancer5xx): source.statistic "Median" is not a CloudWatch statistic',
      "rules[0] (LoadBalancer5xx): intervalSeconds (the alarm period) must be 10, 30 or a multiple of 60, got 45",
    ]);
  });
});

describe("rulesForStage", () => {
  it("leaves out rules without a threshold for the stage", () => {
    expect(rulesForStage(PLATFORM_ALERT_RULES, "local").map((r) => r.name)).toContain("RedisMemoryHigh");
    expect(rulesForStage(PLATFORM_ALERT_RULES, "local").map((r) => r.name)).not.toContain("ElastiCacheMemoryHigh");
    expect(rulesForStage(PLATFORM_ALERT_RULES, "prod").map((r) => r.name)).not.toContain("RedisMemoryHigh");
    expect(rulesForStage(PLATFORM_ALERT_RULES, "prod").map((r) => r.name)).toContain("ElastiCacheMemoryHigh");
  });
});
