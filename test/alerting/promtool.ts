/**
 * Runs promtool (installed by scripts/promtool.sh) on rule and rule-test files generated from
 * the typed rule list, and turns its output into per-file results for readable assertions.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import type { AlertRule, AlertStage } from "../../components/alerting/dsl";
import { stageRuleTests, type RuleTestFile } from "../../components/alerting/promtool-tests";

const SCRIPT = resolve(__dirname, "../../scripts/promtool.sh");

/** Path of promtool, installing it on first use. */
export function promtoolPath(): string {
  return execFileSync("bash", [SCRIPT], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 240_000 }).trim();
}

export function promtoolVersion(bin: string): string {
  return execFileSync(bin, ["--version"], { encoding: "utf8" }).split("\n")[0]!;
}

export interface PromtoolRun {
  readonly status: number | null;
  readonly output: string;
}

export function runPromtool(bin: string, args: string[], cwd: string): PromtoolRun {
  const r = spawnSync(bin, args, { cwd, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** `Unit Testing:  <file>` blocks of `promtool test rules` output, by file name. */
export function resultsByFile(output: string): Map<string, { ok: boolean; text: string }> {
  const results = new Map<string, { ok: boolean; text: string }>();
  for (const block of output.split(/^Unit Testing:\s+/m).slice(1)) {
    const [file, ...rest] = block.split("\n");
    const text = rest.join("\n").trim();
    results.set(file!.trim(), { ok: /^SUCCESS/.test(text), text });
  }
  return results;
}

export interface StageFiles {
  readonly dir: string;
  readonly tests: RuleTestFile[];
}

/** Writes `rules.yml` and every scenario file of `stage` into a fresh temp dir. */
export function writeStageFiles(rules: readonly AlertRule[], stage: AlertStage, root = mkdtempSync(join(tmpdir(), "alerting-"))): StageFiles {
  const dir = join(root, stage);
  mkdirSync(dir, { recursive: true });
  const generated = stageRuleTests(rules, { stage, region: "test-region-1", namespace: "platform" });
  writeFileSync(join(dir, "rules.yml"), stringify(generated.rules));
  for (const t of generated.tests) writeFileSync(join(dir, t.fileName), stringify(t.content));
  return { dir, tests: generated.tests };
}
