/**
 * Issue #7: every PromQL expression passes `promtool check rules`, and every rule's generated
 * behaviour tests (sustained breach fires, normal traffic and a short spike stay silent) pass
 * `promtool test rules`, for every stage's thresholds.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { ALERT_STAGES, rulesForStage, type AlertRule } from "../../components/alerting/dsl";
import { compileGroups, isPromQl } from "../../components/alerting/promql";
import { PLATFORM_ALERT_RULES } from "../../components/alerting/rules";
import { promtoolPath, promtoolVersion, resultsByFile, runPromtool, writeStageFiles, type PromtoolRun } from "./promtool";

let bin: string;
beforeAll(() => {
  bin = promtoolPath();
  console.info(`using ${promtoolVersion(bin)} (${bin})`);
});

describe.each(ALERT_STAGES)("stage %s", (stage) => {
  // Generated at collection time (pure), so each scenario is its own named test.
  const files = writeStageFiles(PLATFORM_ALERT_RULES, stage);
  const promqlRules = rulesForStage(PLATFORM_ALERT_RULES, stage).filter(isPromQl);
  let check: PromtoolRun;
  let run: PromtoolRun;
  let results: ReturnType<typeof resultsByFile>;

  beforeAll(() => {
    check = runPromtool(bin, ["check", "rules", "rules.yml"], files.dir);
    run = runPromtool(bin, ["test", "rules", ...files.tests.map((t) => t.fileName)], files.dir);
    results = resultsByFile(run.output);
  });

  it("every expression passes promtool check rules", () => {
    expect(check.status, check.output).toBe(0);
    expect(check.output).toContain(`SUCCESS: ${promqlRules.length} rules found`);
  });

  it("generates three scenarios for every PromQL rule of the stage", () => {
    expect(files.tests.map((t) => `${t.rule}.${t.scenario}`).sort()).toEqual(
      promqlRules.flatMap((r) => ["normal", "spike", "sustained"].map((s) => `${r.name}.${s}`)).sort(),
    );
  });

  for (const t of files.tests) {
    it(`${t.rule}: ${t.scenario}`, () => {
      const r = results.get(t.fileName);
      expect(r, `promtool reported nothing for ${t.fileName}:\n${run.output}`).toBeDefined();
      expect(r!.ok, `${t.fileName} (${files.dir}):\n${r!.text}`).toBe(true);
    });
  }

  it("promtool test rules exits 0", () => {
    expect(run.status, run.output).toBe(0);
  });
});

describe("the generated tests catch broken rules", () => {
  // Tests come from the real rules; rules.yml is compiled from deliberately broken copies.
  const broken = PLATFORM_ALERT_RULES.map((r): AlertRule => {
    if (r.name === "GatewayHigh5xxRatio") return { ...r, thresholds: { ...r.thresholds, prod: 0.99 } }; // never reached
    if (r.name === "GatewayHighP99Latency") return { ...r, forSeconds: 30 }; // no period: spikes fire
    if (r.name === "CassandraNodeDown") return { ...r, breach: "below" }; // inverted comparison
    return r;
  });
  const files = writeStageFiles(PLATFORM_ALERT_RULES, "prod");
  writeFileSync(join(files.dir, "rules.yml"), stringify({ groups: compileGroups(broken, { stage: "prod", region: "test-region-1", namespace: "platform" }) }));

  it("fails exactly the scenarios each breakage violates", () => {
    const run = runPromtool(bin, ["test", "rules", ...files.tests.map((t) => t.fileName)], files.dir);
    expect(run.status).not.toBe(0);
    const failed = [...resultsByFile(run.output)].filter(([, r]) => !r.ok).map(([f]) => f.replace(/\.test\.yml$/, ""));
    expect(failed.sort()).toEqual(
      [
        "GatewayHigh5xxRatio.sustained", // never fires
        "GatewayHigh5xxRatio.spike", // never even pending
        "GatewayHighP99Latency.sustained", // fires before the period
        "GatewayHighP99Latency.spike", // fires on a short spike
        "CassandraNodeDown.sustained", // never fires
        "CassandraNodeDown.spike", // never pending
      ].sort(),
    );
  });
});
