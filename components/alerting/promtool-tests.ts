/**
 * Generates `promtool test rules` files from the typed rule list: for every PromQL rule of a
 * stage, three scenarios built from the rule's own fixture and timing, so a rule cannot ship
 * without behaviour tests and the tests follow the stage threshold, window and period.
 *
 * Timeline (all times multiples of the rule's interval E; window W, period F):
 * - `sustained`: healthy until B, breaching afterwards. Not firing at B + F - E (the condition
 *   cannot have held for F yet), firing at B + W + F + 2E (window full of breach, then F).
 * - `normal`: healthy throughout; never pending, never firing.
 * - `spike`: breaching from B for D < F - W (shorter than the period once the window's echo is
 *   counted); the alert must go pending (the spike is visible) but never fire.
 */
import { SYNTHETIC_SCRAPE_SECONDS, duration, rulesForStage, type AlertRule, type PromQlSource, type SyntheticSeries } from "./dsl";
import { compileGroups, compileRule, isPromQl, queryContext, type CompileContext, type PromRuleGroup } from "./promql";

export type Scenario = "sustained" | "normal" | "spike";
export const SCENARIOS: readonly Scenario[] = ["sustained", "normal", "spike"];

export interface RuleTestFile {
  readonly rule: string;
  readonly scenario: Scenario;
  /** File name, unique per stage: `<Rule>.<scenario>.test.yml`. */
  readonly fileName: string;
  /** The promtool test document (serialise with `yaml`). */
  readonly content: Record<string, unknown>;
}

export interface StageRuleTests {
  /** The rules file: `{ groups }`, exactly what the PrometheusRule's spec holds. */
  readonly rules: { groups: PromRuleGroup[] };
  readonly tests: RuleTestFile[];
}

const ceilTo = (n: number, step: number) => Math.ceil(n / step) * step;
const floorTo = (n: number, step: number) => Math.floor(n / step) * step;

/** Times (seconds) of one rule's scenarios; exported for the timing tests. */
export function timeline(rule: AlertRule & { source: PromQlSource }) {
  const e = rule.intervalSeconds;
  const w = rule.source.windowSeconds;
  const f = rule.forSeconds;
  const breachStart = ceilTo(Math.max(w, 120) + 2 * e, e);
  const firingAt = ceilTo(breachStart + w + f + 2 * e, e);
  return {
    breachStart,
    notYetAt: breachStart + f - e,
    firingAt,
    spikeSeconds: floorTo(Math.min(f / 2, f - w - e), e),
    end: firingAt,
  };
}

/** Sample values (one per scrape) for a series following `phases` of [startSeconds, series]. */
export function sampleValues(phases: [number, SyntheticSeries][], endSeconds: number): string {
  const step = SYNTHETIC_SCRAPE_SECONDS;
  const values: number[] = [];
  let total = 0;
  for (let t = 0; t <= endSeconds; t += step) {
    const current = phases.filter(([start]) => start <= t).at(-1)![1];
    if (current.kind === "gauge") values.push(current.value);
    else {
      if (t > 0) total += current.value * step;
      values.push(total);
    }
  }
  return values.map((v) => String(Number(v.toFixed(6)))).join(" ");
}

function inputSeries(healthy: SyntheticSeries[], breach: SyntheticSeries[], phases: [number, "healthy" | "breach"][], end: number, rule: string) {
  const byName = (list: SyntheticSeries[]) => new Map(list.map((s) => [s.series, s]));
  const h = byName(healthy);
  const b = byName(breach);
  const names = [...h.keys()];
  if (names.length !== b.size || names.some((n) => !b.has(n) || b.get(n)!.kind !== h.get(n)!.kind)) {
    throw new Error(`${rule}: fixture healthy and breach must list the same series with the same kind`);
  }
  return names.map((name) => ({
    series: name,
    values: sampleValues(
      phases.map(([start, which]) => [start, (which === "healthy" ? h : b).get(name)!]),
      end,
    ),
  }));
}

/** The three scenario documents for one rule. */
export function ruleTests(rule: AlertRule & { source: PromQlSource }, ctx: CompileContext, rulesFile: string): RuleTestFile[] {
  const threshold = rule.thresholds[ctx.stage]!;
  const qctx = queryContext(rule, ctx.namespace, ctx.cassandraVolumeGiB);
  const fx = rule.source.fixture;
  const healthy = fx.healthy(threshold, qctx);
  const breach = fx.breach(threshold, qctx);
  const compiled = compileRule(rule, ctx);
  const labels = { ...compiled.labels, ...(fx.alertLabels?.(qctx) ?? {}) };
  const firing = [{ exp_labels: labels, exp_annotations: compiled.annotations }];
  const t = timeline(rule);
  const at = (s: number) => duration(s);
  const ever = (state: "pending" | "firing") => `max_over_time(ALERTS{alertname="${rule.name}",alertstate="${state}"}[${at(t.end)}])`;
  const alertSample = (state: string) => `{${Object.entries({ alertname: rule.name, alertstate: state, ...labels })
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(",")}}`;

  const doc = (phases: [number, "healthy" | "breach"][], alertTests: unknown[], exprTests: unknown[]) => ({
    rule_files: [rulesFile],
    evaluation_interval: at(rule.intervalSeconds),
    tests: [
      {
        interval: at(SYNTHETIC_SCRAPE_SECONDS),
        input_series: inputSeries(healthy, breach, phases, t.end, rule.name),
        alert_rule_test: alertTests,
        promql_expr_test: exprTests,
      },
    ],
  });
  const none = (s: number) => ({ eval_time: at(s), alertname: rule.name, exp_alerts: [] });
  const never = (state: "pending" | "firing") => ({ expr: ever(state), eval_time: at(t.end), exp_samples: [] });

  const files: [Scenario, Record<string, unknown>][] = [
    [
      "sustained",
      doc(
        [[0, "healthy"], [t.breachStart, "breach"]],
        [none(t.breachStart - rule.intervalSeconds), none(t.notYetAt), { eval_time: at(t.firingAt), alertname: rule.name, exp_alerts: firing }],
        [],
      ),
    ],
    ["normal", doc([[0, "healthy"]], [none(t.breachStart), none(t.end)], [never("pending"), never("firing")])],
    [
      "spike",
      doc(
        [[0, "healthy"], [t.breachStart, "breach"], [t.breachStart + t.spikeSeconds, "healthy"]],
        [none(t.breachStart + t.spikeSeconds), none(t.end)],
        // Pending proves the spike crossed the threshold; never firing proves the period held it back.
        [{ expr: ever("pending"), eval_time: at(t.end), exp_samples: [{ labels: alertSample("pending"), value: 1 }] }, never("firing")],
      ),
    ],
  ];
  return files.map(([scenario, content]) => ({ rule: rule.name, scenario, fileName: `${rule.name}.${scenario}.test.yml`, content }));
}

/** Rules file and every scenario for the PromQL rules of one stage. */
export function stageRuleTests(rules: readonly AlertRule[], ctx: CompileContext, rulesFile = "rules.yml"): StageRuleTests {
  const tests = rulesForStage(rules, ctx.stage)
    .filter(isPromQl)
    .flatMap((r) => ruleTests(r, ctx, rulesFile));
  return { rules: { groups: compileGroups(rules, ctx) }, tests };
}
