/** The two ways policies run: the CrossGuard adapter (engine) and the offline runner. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { toStackValidationPolicy } from "../../policies/core/crossguard";
import { evaluatePolicies, fromSynth } from "../../policies/core/evaluate";
import { table } from "../../policies/core/table";
import type { PlatformPolicy } from "../../policies/core/types";
import { vercelFunctionLimits } from "../../policies/rules/sizing/platform-vercel-function-limits";
import { clone, goodStack } from "./fixtures";

function stackArgs(resources: ReturnType<typeof goodStack>, config: object): StackValidationArgs {
  return {
    resources: resources.map((r) => ({ ...r, opts: {}, dependencies: [], propertyDependencies: {} }) as unknown as PolicyResource),
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: () => { throw new Error("not applicable"); },
  };
}

describe("CrossGuard adapter", () => {
  it("reports each finding as '<message> Fix: <fix>' on the resource URN, with the policy's config", async () => {
    const policy = toStackValidationPolicy(vercelFunctionLimits);
    expect(policy).toMatchObject({ name: "platform-vercel-function-limits", enforcementLevel: "mandatory", remediationSteps: vercelFunctionLimits.remediation });
    const s = clone(goodStack());
    const project = s.find((r) => r.type === "vercel:index/project:Project")!;
    project.props.resourceConfig.functionDefaultTimeout = 400;
    const reported: [string, string | undefined][] = [];
    await policy.validateStack(stackArgs(s, { vercelPlan: "hobby" }), (message, urn) => reported.push([message, urn]));
    expect(reported).toEqual([[`Function timeout 400 s exceeds the hobby plan's 300 s. Fix: set resourceConfig.functionDefaultTimeout ≤ 300.`, project.urn]]);
    reported.length = 0;
    await policy.validateStack(stackArgs(s, {}), (message, urn) => reported.push([message, urn])); // default plan: pro (800 s)
    expect(reported).toEqual([]);
  });
});

describe("offline evaluation", () => {
  it("keeps only custom resources of the synth, with inputs as props", () => {
    const synth = [
      { urn: "urn:pulumi:local::platform::pulumi:pulumi:Stack::platform-local", type: "pulumi:pulumi:Stack", name: "platform-local", custom: false, inputs: {} },
      { urn: "urn:pulumi:local::platform::kubernetes:core/v1:Service::service-x", type: "kubernetes:core/v1:Service", name: "service-x", custom: true, inputs: { kind: "Service" } },
    ];
    expect(fromSynth(synth)).toEqual([{ urn: synth[1].urn, type: synth[1].type, name: "service-x", props: { kind: "Service" } }]);
  });
  it("reports a policy that throws as a violation of that policy instead of crashing the run", () => {
    const broken: PlatformPolicy = { name: "platform-broken", description: "Checks that nothing.", enforcementLevel: "mandatory", remediation: "none needed", check: () => { throw new Error("boom"); } };
    expect(evaluatePolicies([], [broken])).toEqual([
      { policy: "platform-broken", enforcementLevel: "mandatory", resource: "(stack)", message: "The policy failed: boom", fix: "fix the policy or the resource it choked on." },
    ]);
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
