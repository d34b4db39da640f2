/**
 * The two ways policies run: through `@pulumi/policy`'s own analyzer handlers (engine-shaped
 * protobuf requests, ./engine-rpc.ts) and the offline runner.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { evaluatePolicies, fromSynth } from "../../policies/core/evaluate";
import { table } from "../../policies/core/table";
import type { PlatformPolicy } from "../../policies/core/types";
import { engineProps, UNKNOWN } from "../../policies/core/unknown";
import { PLATFORM_POLICIES } from "../../policies/policy-list";
import { noPlaintextSecrets } from "../../policies/rules/security/platform-k8s-no-plaintext-secrets";
import { containerResources } from "../../policies/rules/sizing/platform-k8s-container-resources";
import { vercelFunctionLimits } from "../../policies/rules/sizing/platform-vercel-function-limits";
import { analyze, analyzeEach, analyzeStack } from "./engine-rpc";
import { clone, goodStack, kube } from "./fixtures";

/** Policies that need other resources of the stack; every other policy must judge one resource (validateResource). */
const CROSS_RESOURCE = [
  "platform-cassandra-public-cql-client-certificates",
  "platform-istio-route-destination-resolves",
  "platform-istio-cqrs-routing",
  "platform-istio-destination-rule-outlier-detection",
  "platform-istio-strict-mtls",
  "platform-istio-gateway-tls",
  "platform-cassandra-replication-factor",
  "platform-cassandra-scale-down-guard", // a StatefulSet and the Job it waits for
  "platform-prod-zone-spread",
  "platform-prod-pod-disruption-budget",
  "platform-prod-gateway-min-replicas",
  "platform-cassandra-apps-least-privilege",
  "platform-prod-sizing-floor",
];

/** The gateway ConfigMap of finding 2: the Redis host comes from an ElastiCache replaced in the same change. */
const gatewayConfig = (password: string) =>
  kube("prod-eu-west-1", "ConfigMap", "gateway", { data: { REDIS_HOST: UNKNOWN.string, CASSANDRA_PASSWORD: password, LOG_LEVEL: "info" } });

describe("policies in the engine (the SDK's analyzer handlers)", () => {
  it("every single-resource policy is a validateResource policy; validateStack only for cross-resource ones", () => {
    expect(PLATFORM_POLICIES.filter((p) => p.scope === "stack").map((p) => p.name).sort()).toEqual([...CROSS_RESOURCE].sort());
  });

  it("a mandatory violation of one resource is reported by Analyze, which the engine calls before changing that resource", async () => {
    const s = clone(goodStack());
    const gw = s.find((r) => r.props.kind === "Deployment" && r.props.metadata.name === "gateway")!;
    delete gw.props.spec.template.spec.containers[0].resources.limits.memory;
    const ds = await analyze(PLATFORM_POLICIES, gw);
    expect(ds).toEqual([
      expect.objectContaining({ policy: "platform-k8s-container-resources", level: "mandatory", urn: gw.urn, message: expect.stringContaining(`containers[0] "gateway" has no memory limits.`) }),
    ]);
    // AnalyzeStack (end of the run) does not repeat it.
    expect((await analyzeStack(PLATFORM_POLICIES, s)).filter((d) => d.policy === "platform-k8s-container-resources")).toEqual([]);
  });

  it("a literal password next to an unknown value in the same ConfigMap is still a mandatory violation", async () => {
    const ds = await analyze(PLATFORM_POLICIES, gatewayConfig("correct-horse-battery"));
    expect(ds.filter((d) => d.level === "mandatory")).toEqual([
      expect.objectContaining({ policy: "platform-k8s-no-plaintext-secrets", message: expect.stringContaining(`data "CASSANDRA_PASSWORD" holds a value under secret-like name "CASSANDRA_PASSWORD" in plain text.`) }),
    ]);
    // The unknown key alone is skipped, reported through the SDK's own advisory "can't run" path.
    const advisory = ds.filter((d) => d.level === "advisory");
    expect(advisory).toHaveLength(1);
    expect(advisory[0].message).toMatch(/can't run policy 'platform-k8s-no-plaintext-secrets' .* during preview: not checked, unknown until the update: data "REDIS_HOST"/);
    // Without the password: only the advisory, nothing mandatory.
    expect((await analyze(PLATFORM_POLICIES, gatewayConfig(""))).filter((d) => d.level === "mandatory")).toEqual([]);
  });

  it("a literal env password next to an env value computed from another resource is still mandatory", async () => {
    const s = clone(goodStack());
    const gw = s.find((r) => r.props.kind === "Deployment" && r.props.metadata.name === "gateway")!;
    const c = gw.props.spec.template.spec.containers[0];
    c.env = [{ name: "REDIS_HOST", value: UNKNOWN.string }, { name: "CASSANDRA_PASSWORD", value: "literal-in-the-pod-spec" }];
    c.image = UNKNOWN.string; // e.g. an image digest built in the same update
    const ds = await analyze(PLATFORM_POLICIES, gw);
    expect(ds.filter((d) => d.level === "mandatory").map((d) => d.policy)).toEqual(["platform-k8s-no-plaintext-secrets"]);
    expect(ds.find((d) => d.level === "mandatory")!.message).toContain(`containers[0] "gateway" env CASSANDRA_PASSWORD holds`);
  });

  it("stack policies read the whole stack at the end of the run", async () => {
    const s = clone(goodStack());
    s.splice(s.findIndex((r) => r.props.kind === "PodDisruptionBudget"), 1);
    const ds = await analyzeStack(PLATFORM_POLICIES, s);
    expect(ds.map((d) => `${d.level} ${d.policy}`)).toContain("mandatory platform-prod-pod-disruption-budget");
    expect(await analyzeEach(PLATFORM_POLICIES, s)).toEqual([]); // no single resource is wrong
  });
});

describe("offline evaluation", () => {
  it("engine-shaped unknowns offline: the same violation and a could-not-check advisory", () => {
    const cm = gatewayConfig("correct-horse-battery");
    const v = evaluatePolicies([{ ...cm, props: engineProps(cm.props) }], [noPlaintextSecrets]);
    expect(v.map((x) => `${x.enforcementLevel}: ${x.message}`)).toEqual([
      `mandatory: data "CASSANDRA_PASSWORD" holds a value under secret-like name "CASSANDRA_PASSWORD" in plain text.`,
      expect.stringMatching(/^advisory: Could not check during preview: not checked, unknown until the update: data "REDIS_HOST": string value at \.data\.REDIS_HOST can't be known during preview\.$/),
    ]);
  });
  it("applies the policy config (vercelPlan) like the engine's getConfig", () => {
    const s = clone(goodStack());
    const project = s.find((r) => r.type === "vercel:index/project:Project")!;
    project.props.resourceConfig.functionDefaultTimeout = 400;
    expect(evaluatePolicies(s, [vercelFunctionLimits], { vercelPlan: "hobby" }).map((v) => v.message)).toEqual([`Function timeout 400 s exceeds the hobby plan's 300 s.`]);
    expect(evaluatePolicies(s, [vercelFunctionLimits])).toEqual([]); // default plan: pro (800 s)
  });
  it("keeps only custom resources of the synth, with inputs as props", () => {
    const synth = [
      { urn: "urn:pulumi:local::platform::pulumi:pulumi:Stack::platform-local", type: "pulumi:pulumi:Stack", name: "platform-local", custom: false, inputs: {} },
      { urn: "urn:pulumi:local::platform::kubernetes:core/v1:Service::service-x", type: "kubernetes:core/v1:Service", name: "service-x", custom: true, inputs: { kind: "Service" } },
    ];
    expect(fromSynth(synth)).toEqual([{ urn: synth[1].urn, type: synth[1].type, name: "service-x", props: { kind: "Service" }, dependencies: [] }]);
  });
  it("reports a policy that throws as a violation of that policy instead of crashing the run", () => {
    const broken: PlatformPolicy = { name: "platform-broken", description: "Checks that nothing.", enforcementLevel: "mandatory", remediation: "none needed", scope: "stack", checkStack: () => { throw new Error("boom"); } };
    expect(evaluatePolicies([], [broken])).toEqual([
      { policy: "platform-broken", enforcementLevel: "mandatory", resource: "(stack)", message: "The policy failed: boom", fix: "fix the policy or the resource it choked on." },
    ]);
  });
  it("runs resource policies once per resource", () => {
    const s = clone(goodStack());
    for (const r of s.filter((x) => x.props.kind === "Deployment")) delete r.props.spec.template.spec.containers[0].resources;
    const v = evaluatePolicies(s, [containerResources]);
    expect(new Set(v.map((x) => x.urn)).size).toBe(s.filter((x) => x.props.kind === "Deployment").length);
  });
  it("prints wrapped tables", () => {
    expect(table([["a", "b"], ["1", "two words"]])).toBe("a │ b\n──┼──────────\n1 │ two words");
    const long = table([["col"], ["x".repeat(10) + " " + "y".repeat(80)]]).split("\n");
    expect(long.length).toBeGreaterThan(3);
  });
  it("the runner prints its usage and exits 2 without a stack", async () => {
    const run = promisify(execFile);
    const err = await run(process.execPath, ["--import", "tsx", join(__dirname, "..", "..", "policies", "run.ts")]).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain("usage: npm run policy -- --stack <name>");
  });
});
