/**
 * The CI workflows: actionlint (installed from the Go module proxy by scripts/actionlint.sh)
 * over every workflow, plus the structure issues #6 and #22 ask for (stack lists derived from the
 * stack files, previews with the pack and its config that always comment, deploys gated by a
 * preview, least-privilege credentials, actions pinned by SHA).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SHIPPED_STACKS } from "../../scripts/synth";
import { discoverStacks } from "../../scripts/synth/stacks";

const ROOT = join(__dirname, "..", "..");
const WORKFLOWS = join(ROOT, ".github", "workflows");
const workflow = (name: string) => parse(readFileSync(join(ROOT, ".github", "workflows", name), "utf8"));
const actionlint = (...files: string[]) => spawnSync("bash", [join(ROOT, "scripts", "actionlint.sh"), ...files], { cwd: ROOT, encoding: "utf8", timeout: 540_000 });

describe("workflow files", () => {
  it("pass actionlint", () => {
    const r = actionlint();
    // actionlint reports findings on stdout; stderr is left to the wrapper (a missing tool's one line).
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
  }, 600_000);

  it("actionlint catches a broken workflow (the lint can fail)", () => {
    const bad = join(mkdtempSync(join(tmpdir(), "actionlint-")), "bad.yml");
    writeFileSync(bad, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n        uses: actions/checkout@v4\n");
    const r = actionlint(bad);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/bad\.yml/);
  }, 600_000);

  it("derive every stack list from stacks/Pulumi.*.yaml: no workflow names a stack", () => {
    const stacks = workflow("stacks.yml");
    expect(stacks.on.workflow_call.outputs).toHaveProperty("all");
    expect(stacks.jobs.list.steps.map((s: { run?: string }) => s.run ?? "").join("\n")).toContain("npm run --silent stacks -- --json");
    const preview = workflow("preview.yml").jobs;
    expect(preview.stacks.uses).toBe("./.github/workflows/stacks.yml");
    expect(preview.preview.strategy.matrix.include).toBe("${{ fromJSON(needs.stacks.outputs.all) }}");
    expect(workflow("deploy.yml").jobs.deploy.strategy.matrix.include).toBe("${{ fromJSON(needs.stacks.outputs.deploy) }}");
    expect(workflow("drift.yml").jobs.drift.strategy.matrix.include).toBe("${{ fromJSON(needs.stacks.outputs.deploy) }}");
    for (const file of readdirSync(WORKFLOWS)) {
      const text = readFileSync(join(WORKFLOWS, file), "utf8");
      expect(SHIPPED_STACKS.filter((st) => st !== "local" && text.includes(st)), file).toEqual([]);
    }
  });

  it("a new stack file is in every list (preview, deploy after the region it joins), without editing a workflow", () => {
    const dir = mkdtempSync(join(tmpdir(), "stacks-"));
    cpSync(join(ROOT, "stacks"), dir, { recursive: true, filter: (f) => !f.endsWith(".ts") });
    writeFileSync(join(dir, "Pulumi.prod-sa-east-1.yaml"), "config:\n  platform:org: acme\n  platform:cassandra:\n    peerRegions: [us-east-1]\n");
    const plan = discoverStacks(dir).map((p) => p.stack);
    expect(plan).toContain("prod-sa-east-1");
    expect(plan.indexOf("prod-sa-east-1")).toBeGreaterThan(plan.indexOf("prod-us-east-1"));
    // And the shipped list is exactly the shipped files, in an order where each prod region follows the ones it joins.
    const files = readdirSync(join(ROOT, "stacks")).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).map((f) => f.slice(7, -5));
    expect([...SHIPPED_STACKS].sort()).toEqual(files.sort());
    expect(SHIPPED_STACKS.slice(0, 3)).toEqual(["local", "dev-us-east-1", "staging-us-east-1"]);
    expect(SHIPPED_STACKS.indexOf("prod-ap-southeast-1")).toBeGreaterThan(SHIPPED_STACKS.indexOf("prod-eu-west-1"));
  });

  it("preview every stack with the pack and its generated policy config, and always comment", () => {
    const job = workflow("preview.yml").jobs.preview;
    const step = (id: string) => job.steps.find((s: { id?: string }) => s.id === id);
    expect(step("preview").run).toContain('npm run --silent policy:config -- --stack "$STACK" --out "$RUNNER_TEMP/policy-config.json"');
    expect(step("preview").run).toContain('--policy-pack policies --policy-pack-config "$RUNNER_TEMP/policy-config.json"');
    expect(step("preview").run).toContain("--event-log");
    // Issue 16: a stack still carrying example values is refused before the preview.
    const refuse = job.steps.findIndex((s: { run?: string }) => s.run?.includes('npm run --silent preflight -- --stack "$STACK" --examples-only'));
    expect(refuse).toBeGreaterThan(-1);
    expect(refuse).toBeLessThan(job.steps.indexOf(step("preview")));
    expect(step("comment").if).toBe("always()");
    expect(step("comment").run).toContain("npm run --silent preview:comment");
    const post = job.steps.find((s: { uses?: string }) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
    expect(post.if).toMatch(/^always\(\)/);
    const checks = workflow("preview.yml").jobs.checks.steps;
    const runs = checks.map((s: { run?: string }) => s.run ?? "").join("\n");
    expect(runs).toContain("npm run setup");
    expect(runs).toContain("npm test");
    expect(runs).toMatch(/npm run --silent diff -- --base "\$BASE_SHA" --all --format markdown .* --risk-out/);
    expect(checks.find((s: { uses?: string }) => s.uses?.startsWith("actions/upload-artifact@")).if).toBe("always()");
    expect(runs).toContain("risk.json");
    expect(workflow("preview.yml").on.pull_request.types).toEqual(expect.arrayContaining(["labeled", "unlabeled"]));
  });

  it("deploy: one stack at a time, each gated by a refreshed preview with the pack before `up --refresh`, stacks created when missing", () => {
    const deploy = workflow("deploy.yml");
    expect(deploy.on.push.branches).toEqual(["main"]);
    expect(deploy.concurrency).toBeUndefined(); // no global lock: dev/staging never wait on a prod approval
    expect(deploy.jobs.deploy.strategy).toMatchObject({ "fail-fast": true, "max-parallel": 1 });
    expect(deploy.jobs.deploy.uses).toBe("./.github/workflows/pulumi-up.yml");
    const up = workflow("pulumi-up.yml").jobs.up;
    expect(up.environment.name).toBe("${{ inputs.stack }}");
    expect(up.concurrency).toEqual({ group: "pulumi-up-${{ inputs.stack }}", "cancel-in-progress": false });
    const runs: string[] = up.steps.map((s: { run?: string }) => s.run ?? "");
    const gate = runs.findIndex((r) => /pulumi preview .*--refresh/.test(r.replace(/\\\n\s*/g, "")));
    const apply = runs.findIndex((r) => /pulumi up /.test(r));
    expect(gate).toBeGreaterThan(-1);
    expect(apply).toBeGreaterThan(gate);
    expect(runs[gate]).toContain('--policy-pack policies --policy-pack-config "$RUNNER_TEMP/policy-config.json"');
    expect(runs[apply]).toContain("--refresh");
    expect(runs[apply]).toContain('--policy-pack policies --policy-pack-config "$RUNNER_TEMP/policy-config.json"');
    expect(runs.join("\n")).toContain('pulumi stack select --create "$REF"');
  });

  it("least privilege: previews and drift checks never get the deploy token; deploy credentials come from the stack's environment", () => {
    for (const file of ["preview.yml", "drift.yml"]) {
      const text = readFileSync(join(WORKFLOWS, file), "utf8");
      expect(text, file).not.toContain("secrets.PULUMI_ACCESS_TOKEN");
      expect(text, file).toContain("secrets.PULUMI_PREVIEW_TOKEN");
      expect(text, file).not.toContain("AWS_DEPLOY_ROLE_ARN");
    }
    const drift = workflow("drift.yml");
    expect(drift.on.schedule).toBeDefined();
    expect(drift.jobs.drift.steps.find((s: { id?: string }) => s.id === "check").run).toContain("--refresh --expect-no-changes");
  });

  it("pin every third-party action by commit SHA, with Dependabot keeping them current", () => {
    const files = [...readdirSync(WORKFLOWS).map((f) => join(WORKFLOWS, f)), join(ROOT, ".github", "actions", "pulumi-setup", "action.yml")];
    const uses = files.flatMap((f) => [...readFileSync(f, "utf8").matchAll(/uses: (\S+)(.*)$/gm)].map((m) => [m[1], m[2], f]));
    const remote = uses.filter(([u]) => !u.startsWith("./"));
    expect(remote.length).toBeGreaterThan(10);
    expect(remote.filter(([u, comment]) => !/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/.test(u) || !/# v\d/.test(comment))).toEqual([]);
    const dependabot = parse(readFileSync(join(ROOT, ".github", "dependabot.yml"), "utf8"));
    expect(dependabot.updates[0]).toMatchObject({ "package-ecosystem": "github-actions", directories: ["/", "/.github/actions/*"] });
  });
});
