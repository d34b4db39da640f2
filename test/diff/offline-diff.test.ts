/**
 * The offline diff end to end, in a temporary git repository: the real synth scripts and
 * config of this repo with a small fixture program (so the test does not move with the
 * platform's program), a base commit, then one change per scenario in the working tree.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { offlineDiff, renderMarkdown, renderText, type DiffReport } from "../../scripts/diff";

const MAIN = join(__dirname, "..", "..");
const OLD_SECRET = "fixture-redis-password-old-4f1c";
const NEW_SECRET = "fixture-redis-password-new-9a2e";

/** A platform-shaped program: HPA from config, CQRS routes, a ConfigMap, generated and configured secrets. */
function program(opts: { readYourWrites?: boolean; envConfigMap?: string } = {}): string {
  const routes = [
    ...(opts.readYourWrites
      ? [`{ name: "read-your-writes", match: [{ headers: { "x-read-your-writes": { exact: "true" } } }], route: [{ destination: { host: "telemetry-command" } }] }`]
      : []),
    `{ name: "query", match: [{ method: { exact: "GET" } }, { method: { exact: "HEAD" } }], route: [{ destination: { host: "telemetry-query" } }] }`,
    `{ name: "command", route: [{ destination: { host: "telemetry-command" } }] }`,
  ];
  const cm = opts.envConfigMap ?? "gateway-env";
  return `import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformConfig } from "./config";

export function declarePlatform(cfg: PlatformConfig) {
  const ns = cfg.namespace;
  const fixture = new pulumi.Config("fixture");
  new k8s.autoscaling.v2.HorizontalPodAutoscaler("gateway", {
    metadata: { name: "gateway", namespace: ns },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "gateway" }, minReplicas: cfg.gateway.minReplicas, maxReplicas: cfg.gateway.maxReplicas },
  });
  new k8s.apiextensions.CustomResource("telemetry", {
    apiVersion: "networking.istio.io/v1", kind: "VirtualService",
    metadata: { name: "telemetry", namespace: ns },
    spec: { hosts: ["telemetry"], http: [${routes.join(", ")}] },
  });
  new k8s.core.v1.ConfigMap("${cm}", { metadata: { name: "${cm}", namespace: ns }, data: { LOG_LEVEL: "info", CACHE_TTL_SECONDS: "30", UPSTREAM: "http://telemetry" } });
  const jwtKey = new random.RandomPassword("jwt-key", { length: 48, special: false, keepers: { rotation: fixture.get("jwtKeyRotation") ?? "1" } });
  new k8s.core.v1.Secret("gateway-jwt", { metadata: { name: "gateway-jwt", namespace: ns }, stringData: { key: jwtKey.result } });
  new k8s.core.v1.Secret("gateway-redis", { metadata: { name: "gateway-redis", namespace: ns }, stringData: { password: fixture.requireSecret("redisPassword") } });
  // Prod regions, as the platform's: seeds exported under seedDomain, the peers' read back.
  const peers = cfg.cassandra.peerRegions.map((r) => new pulumi.StackReference("peer-" + r, { name: cfg.org + "/platform/prod-" + r }));
  if (peers.length > 0) {
    const seeds = pulumi.all(peers.map((p) => p.requireOutput("cassandraSeeds"))).apply((l) => (l as string[][]).flat().join(","));
    new k8s.core.v1.ConfigMap("peer-seeds", { metadata: { name: "peer-seeds", namespace: ns }, data: { SEEDS: seeds } });
  }
  return { cassandraSeeds: ["cassandra-a-0." + cfg.cassandra.seedDomain, "cassandra-b-0." + cfg.cassandra.seedDomain] };
}
`;
}

const STACK_FILE = (extra = "", secret = OLD_SECRET) => `config:
  platform:images:
    gateway: localhost:5001/platform/gateway:dev
    telemetry: localhost:5001/platform/telemetry:dev
  fixture:redisPassword: ${secret}
${extra}`;

let repo: string;
let cache: string;
const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const write = (path: string, text: string) => writeFileSync(join(repo, path), text);

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "diff-repo-"));
  cache = mkdtempSync(join(tmpdir(), "diff-cache-"));
  // The synth scripts and the config schema (with the custom-domain and tenant rules it shares with the dns-cache and telemetry apps).
  for (const p of ["package.json", "tsconfig.json", "Pulumi.yaml", "scripts/synth", "stacks/config", "stacks/read-config.ts", "apps/dns-cache/src/shared", "apps/telemetry/src/core/tenants.ts", "apps/telemetry/src/core/limits.ts"]) {
    cpSync(join(MAIN, p), join(repo, p), { recursive: true });
  }
  symlinkSync(join(MAIN, "node_modules"), join(repo, "node_modules"), "dir");
  write(".gitignore", "node_modules\n");
  mkdirSync(join(repo, "stacks"), { recursive: true });
  write("stacks/program.ts", program());
  write("stacks/Pulumi.local.yaml", STACK_FILE());
  for (const region of ["us-east-1", "eu-west-1"]) {
    const file = `stacks/Pulumi.prod-${region}.yaml`;
    write(file, `${readFileSync(join(MAIN, file), "utf8")}  fixture:redisPassword: ${OLD_SECRET}\n`);
  }
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base");
  git("tag", "base");
});

afterEach(() => {
  git("checkout", "-q", "--", ".");
  git("clean", "-qfd");
});

afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

const diff = (policies = false) => offlineDiff({ baseRef: "base", stacks: ["local"], repo, cacheDir: cache, policies });
const only = (report: DiffReport) => {
  expect(report.stacks).toHaveLength(1);
  expect(report.stacks[0].error).toBeUndefined();
  return report.stacks[0].diff!;
};

describe("offline diff in a temporary repository", () => {
  it("states no changes for an unchanged tree, with the policy result and caches the base", async () => {
    const report = await diff(true);
    const d = only(report);
    expect(d.resources).toEqual([]);
    expect(d.counts.same).toBeGreaterThanOrEqual(7);
    expect(report.stacks[0].policy?.status).toMatch(/^(pass|fail|error)$/);
    const text = renderText(report);
    expect(text).toMatch(/^== local: no changes \(\d+ resources unchanged\); policy: (pass|fail|not evaluated)/m);
    expect(text).toContain("No changes in any stack.");
    expect(text).toContain("   cost: ≈ $0.00/month (base $0.00, ±$0.00)"); // local: no cloud bill
    expect(readFileSync(join(cache, "results", git("rev-parse", "base").trim(), "local.json"), "utf8")).not.toContain(OLD_SECRET);
    expect(git("worktree", "list")).not.toContain(cache); // the base worktree is gone
  });

  it("shows a replica count change as exactly that", async () => {
    write("stacks/Pulumi.local.yaml", STACK_FILE("  platform:gateway:\n    maxReplicas: 7\n"));
    const d = only(await diff());
    expect(d.resources.map((r) => [r.op, r.type, r.name])).toEqual([["update", "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "gateway"]]);
    expect(d.resources[0].changes).toEqual([{ path: "spec.maxReplicas", kind: "changed", old: 1, new: 7 }]);
  });

  it("shows an added route as one added http entry", async () => {
    write("stacks/program.ts", program({ readYourWrites: true }));
    const report = await diff();
    const d = only(report);
    expect(d.resources.map((r) => [r.op, r.name])).toEqual([["update", "telemetry"]]);
    expect(d.resources[0].changes).toEqual([
      {
        path: "spec.http[name=read-your-writes]",
        kind: "added",
        new: { name: "read-your-writes", match: [{ headers: { "x-read-your-writes": { exact: "true" } } }], route: [{ destination: { host: "telemetry-command" } }] },
      },
    ]);
    expect(renderMarkdown(report)).toContain(
      '~  kubernetes:networking.istio.io/v1:VirtualService telemetry\n      spec.http[name=read-your-writes]: (none) → {"match":[{"headers":{"x-read-your-writes":{"exact":"true"}}}],"name":"read-your-writes","route":[{"destination":{"host":"telemetry-command"}}]}\n```',
    );
  });

  it("shows a rename as delete + create with the replace note and an aliases hint", async () => {
    write("stacks/program.ts", program({ envConfigMap: "gateway-config" }));
    const report = await diff();
    const d = only(report);
    expect(d.resources.map((r) => [r.op, r.name, r.renamedTo ?? r.renamedFrom])).toEqual([
      ["create", "gateway-config", "gateway-env"],
      ["delete", "gateway-env", "gateway-config"],
    ]);
    const text = renderText(report);
    expect(text).toContain("+  kubernetes:core/v1:ConfigMap gateway-config  (renamed from \"gateway-env\"?)");
    expect(text).toContain('-  kubernetes:core/v1:ConfigMap gateway-env  (rename to "gateway-config"? the URN changes, so Pulumi deletes and recreates it; add aliases: [{ name: "gateway-env" }] to "gateway-config" to keep it; its metadata.name changes too');
    expect(text).toMatch(/== local: 1 to create, 1 to delete, \d+ unchanged/);
  });

  it("shows a rotated secret as changed without its value", async () => {
    // Rotation both ways: a new configured value, and a new keeper for the generated key.
    write("stacks/Pulumi.local.yaml", STACK_FILE("  fixture:jwtKeyRotation: \"2\"\n", NEW_SECRET));
    const report = await diff();
    const d = only(report);
    const by = Object.fromEntries(d.resources.map((r) => [r.name, r]));
    expect(Object.keys(by).sort()).toEqual(["gateway-jwt", "gateway-redis", "jwt-key"]);
    expect(by["gateway-redis"].changes).toEqual([{ path: "stringData.password", kind: "changed", secret: true, forcesReplace: expect.stringMatching(/enableSecretMutable is not set/) }]);
    expect(by["jwt-key"]).toMatchObject({ op: "replace", changes: [{ path: "keepers.rotation", old: "1", new: "2" }] });
    // enableSecretMutable is unset: the provider replaces both Secrets (finding 5 of issue 22).
    expect(by["gateway-jwt"]).toMatchObject({ op: "replace", deleteFirst: true, changes: [{ path: "stringData", secret: true }] });
    expect(by["gateway-redis"]).toMatchObject({ op: "replace", deleteFirst: true });
    const text = renderText(report) + renderMarkdown(report);
    expect(text).toContain("stringData.password: [secret] → [secret] (changed, value hidden)");
    expect(text).toContain("stringData: [secret] → (recomputed: random:index/randomPassword:RandomPassword jwt-key is replaced)");
    expect(text).not.toContain(OLD_SECRET);
    expect(text).not.toContain(NEW_SECRET);
    expect(text).not.toMatch(/hmac-sha256|mock-[0-9a-f]{8}/);
  });

  it("feeds the founder's outputs to a joining region: a founder seed-domain change shows there", async () => {
    const founder = "stacks/Pulumi.prod-us-east-1.yaml";
    write(founder, readFileSync(join(repo, founder), "utf8").replace("seedDomain: us-east-1.cassandra.platform.internal", "seedDomain: use1.db.acme.internal"));
    // Only the joining region asked for: its founder is synthesized (both sides) to feed it.
    const report = await offlineDiff({ baseRef: "base", stacks: ["prod-eu-west-1"], repo, cacheDir: cache, policies: false });
    expect(report.stacks.map((s) => s.stack)).toEqual(["prod-eu-west-1"]);
    const d = only(report);
    expect(d.resources.map((r) => [r.op, r.name])).toEqual([["replace", "peer-seeds"]]); // ConfigMap data: the provider replaces it
    expect(d.resources[0].changes).toEqual([
      { path: "data.SEEDS", kind: "changed", old: "cassandra-a-0.us-east-1.cassandra.platform.internal,cassandra-b-0.us-east-1.cassandra.platform.internal", new: "cassandra-a-0.use1.db.acme.internal,cassandra-b-0.use1.db.acme.internal", forcesReplace: expect.stringContaining("replaces a ConfigMap on any data change") },
    ]);
  }, 180_000);

  it("explains a base that predates the offline synth", async () => {
    // A commit with a stack file but no scripts/synth, built with plumbing (no checkout needed).
    const gitIn = (input: string, ...args: string[]) => execFileSync("git", ["-C", repo, ...args], { input, encoding: "utf8" }).trim();
    const blob = gitIn(STACK_FILE(), "hash-object", "-w", "--stdin");
    const stacksTree = gitIn(`100644 blob ${blob}\tPulumi.local.yaml\n`, "mktree");
    const root = gitIn(`040000 tree ${stacksTree}\tstacks\n`, "mktree");
    const ancient = gitIn("", "commit-tree", root, "-m", "ancient");
    await expect(offlineDiff({ baseRef: ancient, stacks: ["local"], repo, cacheDir: cache, policies: false })).rejects.toThrow(/predates the offline synth/);
    await expect(offlineDiff({ baseRef: "no-such-ref", stacks: ["local"], repo, cacheDir: cache })).rejects.toThrow(/--base no-such-ref: not a commit/);
  });
});
