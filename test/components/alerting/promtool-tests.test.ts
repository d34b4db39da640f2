import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { ALERT_STAGES, SYNTHETIC_SCRAPE_SECONDS, rulesForStage, type AlertRule } from "../../../components/alerting/dsl";
import { isPromQl } from "../../../components/alerting/promql";
import { SCENARIOS, ruleTests, sampleValues, stageRuleTests, timeline } from "../../../components/alerting/promtool-tests";
import { PLATFORM_ALERT_RULES } from "../../../components/alerting/rules";
import { counter, gauge, histogram } from "../../../components/alerting/synthetic";

const promql = PLATFORM_ALERT_RULES.filter(isPromQl);
const ctx = { stage: "prod", region: "r", namespace: "platform" } as const;

describe("generated behaviour tests", () => {
  it("every PromQL rule is tested in at least one stage, with every scenario", () => {
    const covered = new Set(ALERT_STAGES.flatMap((stage) => stageRuleTests(PLATFORM_ALERT_RULES, { ...ctx, stage }).tests.map((t) => `${t.rule}.${t.scenario}`)));
    const missing = promql.flatMap((r) => SCENARIOS.map((s) => `${r.name}.${s}`)).filter((k) => !covered.has(k));
    expect(missing).toEqual([]);
  });

  it.each(ALERT_STAGES)("every rule of stage %s gets sustained, normal and spike files", (stage) => {
    const { tests } = stageRuleTests(PLATFORM_ALERT_RULES, { ...ctx, stage });
    for (const r of rulesForStage(PLATFORM_ALERT_RULES, stage).filter(isPromQl)) {
      expect(tests.filter((t) => t.rule === r.name).map((t) => t.scenario)).toEqual([...SCENARIOS]);
    }
    expect(new Set(tests.map((t) => t.fileName)).size).toBe(tests.length);
  });

  it.each(promql.map((r) => [r.name, r] as const))("%s: the spike is shorter than the period and the window's echo", (_n, rule) => {
    const t = timeline(rule);
    expect(t.spikeSeconds).toBeGreaterThanOrEqual(rule.intervalSeconds);
    expect(t.spikeSeconds + rule.source.windowSeconds).toBeLessThanOrEqual(rule.forSeconds - rule.intervalSeconds);
    expect(t.notYetAt).toBeLessThan(t.breachStart + rule.forSeconds);
    expect(t.firingAt).toBeGreaterThanOrEqual(t.breachStart + rule.source.windowSeconds + rule.forSeconds);
    expect(t.breachStart).toBeGreaterThanOrEqual(rule.source.windowSeconds);
  });

  it("asserts firing with the compiled labels and annotations, and pending on the spike", () => {
    const rule = promql.find((r) => r.name === "CassandraNodeDown")!;
    const files = ruleTests(rule, ctx, "rules.yml");
    const sustained = parse(stringify(files[0]!.content)) as any;
    const firing = sustained.tests[0].alert_rule_test.at(-1);
    // count(...) keeps no labels: the alert carries the rule's own labels only.
    expect(firing.exp_alerts[0].exp_labels).toEqual({ severity: "critical", notify: "platform-oncall", stage: "prod", region: "r" });
    expect(firing.exp_alerts[0].exp_annotations.threshold).toBe("above 0 (nodes) for 2m");
    const spike = files[2]!.content as any;
    expect(spike.tests[0].promql_expr_test[0].exp_samples[0].labels).toContain('alertstate="pending"');
    expect(spike.evaluation_interval).toBe("30s");
  });

  it("rejects a fixture whose healthy and breach traffic name different series", () => {
    const base = promql.find((r) => r.name === "RedisDown")!;
    const broken: AlertRule = { ...base, source: { ...base.source, fixture: { healthy: () => [gauge("redis_up", {}, 1)], breach: () => [gauge("redis_up", { instance: "x" }, 0)] } } };
    expect(() => stageRuleTests([broken], { ...ctx, stage: "local" })).toThrow(/RedisDown: fixture healthy and breach must list the same series/);
  });
});

describe("sampleValues", () => {
  it("accumulates counters per scrape and switches rate at phase boundaries", () => {
    const step = SYNTHETIC_SCRAPE_SECONDS;
    const v = sampleValues([[0, counter("c", {}, 1)], [2 * step, counter("c", {}, 2)]], 4 * step);
    // 1/s for the first two scrapes, then 2/s: the sample at the boundary already has the new rate.
    expect(v.split(" ").map(Number)).toEqual([0, step, step + 2 * step, step + 4 * step, step + 6 * step]);
  });

  it("holds gauges at their level", () => {
    expect(sampleValues([[0, gauge("g", {}, 3)], [30, gauge("g", {}, 2)]], 45)).toBe("3 3 2 2");
  });
});

describe("histogram", () => {
  it("puts every observation in the first bucket at or above the value", () => {
    const series = histogram("h_seconds", { a: "1" }, 10, 0.3);
    const rate = (le: string) => series.find((s) => s.series === `h_seconds_bucket{a="1",le="${le}"}`)!.value;
    expect([rate("0.25"), rate("0.5"), rate("10"), rate("+Inf")]).toEqual([0, 10, 10, 10]);
    expect(series.find((s) => s.series === 'h_seconds_sum{a="1"}')!.value).toBeCloseTo(3);
    expect(series.find((s) => s.series === 'h_seconds_count{a="1"}')!.value).toBe(10);
  });
});
