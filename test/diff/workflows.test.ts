/**
 * The CI workflows: actionlint (installed from the Go module proxy by scripts/actionlint.sh)
 * over every workflow, plus the structure issue #6 asks for (every stack previewed, deploys in
 * region order inside environments).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SHIPPED_STACKS } from "../../scripts/synth";

const ROOT = join(__dirname, "..", "..");
const workflow = (name: string) => parse(readFileSync(join(ROOT, ".github", "workflows", name), "utf8"));
const actionlint = (...files: string[]) => spawnSync("bash", [join(ROOT, "scripts", "actionlint.sh"), ...files], { cwd: ROOT, encoding: "utf8", timeout: 540_000 });

describe("workflow files", () => {
  it("pass actionlint", () => {
    const r = actionlint();
    expect(`${r.stdout}${r.stderr}`.replace(/^actionlint\.sh: shellcheck not installed.*\n/m, "").replace(/^installing actionlint.*\n/m, "")).toBe("");
    expect(r.status).toBe(0);
  }, 600_000);

  it("actionlint catches a broken workflow (the lint can fail)", () => {
    const bad = join(mkdtempSync(join(tmpdir(), "actionlint-")), "bad.yml");
    writeFileSync(bad, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n        uses: actions/checkout@v4\n");
    const r = actionlint(bad);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/bad\.yml/);
  }, 600_000);

  it("preview every shipped stack with the policy pack, one edited comment per stack", () => {
    const preview = workflow("preview.yml");
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    const job = preview.jobs.preview;
    expect(job.strategy.matrix.include.map((m: { stack: string }) => m.stack)).toEqual([...SHIPPED_STACKS]);
    const step = job.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
    // Issue 16: a stack still carrying example values is refused before the preview.
    const refuse = job.steps.findIndex((s: { run?: string }) => s.run?.includes("npm run --silent preflight -- --stack \"$STACK\" --examples-only"));
    expect(refuse).toBeGreaterThan(-1);
    expect(refuse).toBeLessThan(job.steps.indexOf(step));
    expect(step.uses).toBe("pulumi/actions@v6");
    expect(step.with).toMatchObject({ command: "preview", diff: true, policyPacks: "policies", "comment-on-pr": true, "edit-pr-comment": true });
    const runs = preview.jobs.checks.steps.map((s: { run?: string }) => s.run ?? "").join("\n");
    expect(runs).toContain("npm run setup");
    expect(runs).toContain("npm test");
    expect(runs).toMatch(/npm run --silent diff -- --base "\$BASE_SHA" --all --format markdown/);
  });

  it("deploy main stack by stack in region order, each in its environment", () => {
    const deploy = workflow("deploy.yml");
    expect(deploy.on.push.branches).toEqual(["main"]);
    // Walk the needs chain from the job nothing depends on.
    const jobs = deploy.jobs as Record<string, { needs?: string; with: { stack: string }; uses: string }>;
    const order: string[] = [];
    let next = Object.keys(jobs).find((j) => !jobs[j].needs);
    while (next) {
      order.push(jobs[next].with.stack);
      const current = next;
      next = Object.keys(jobs).find((j) => jobs[j].needs === current);
    }
    expect(order).toEqual(SHIPPED_STACKS.filter((s) => s !== "local"));
    expect(Object.values(jobs).every((j) => j.uses === "./.github/workflows/pulumi-up.yml")).toBe(true);
    const up = workflow("pulumi-up.yml").jobs.up;
    expect(up.environment.name).toBe("${{ inputs.stack }}");
    expect(up.concurrency["cancel-in-progress"]).toBe(false);
  });
});
