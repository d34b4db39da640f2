/** One generated per-stack policy config for the engine and the offline runner (issue 22, finding 3). */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toCrossGuardPolicy } from "../../policies/core/crossguard";
import { evaluatePolicies } from "../../policies/core/evaluate";
import { packConfigFor, packConfigFromPolicyConfig, policyPackConfigFor, resolvedConfigFor } from "../../policies/core/stack-config";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { PLATFORM_POLICIES } from "../../policies/policy-list";
import { vercelFunctionLimits } from "../../policies/rules/sizing/platform-vercel-function-limits";
import { SHIPPED_STACKS } from "../../scripts/synth";
import { clone, goodStack } from "./fixtures";

const ROOT = join(__dirname, "..", "..");

describe("per-stack policy config", () => {
  it("the CLI's --policy-pack-config file is what the offline runner reads, for every stack", () => {
    // The CLI once (a tsx start costs seconds); it prints policyPackConfigFor, compared for every stack below.
    const cli = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", join(ROOT, "policies", "config.ts"), "--stack", "prod-eu-west-1"], { cwd: ROOT, encoding: "utf8" }));
    expect(cli).toEqual(policyPackConfigFor("prod-eu-west-1", PLATFORM_POLICIES));
    for (const stack of SHIPPED_STACKS) {
      const file = policyPackConfigFor(stack, PLATFORM_POLICIES);
      expect(packConfigFor(stack)).toEqual(packConfigFromPolicyConfig(file));
      expect(file["platform-vercel-function-limits"]).toEqual({ vercelPlan: resolvedConfigFor(stack).vercel.plan });
      // Every key of every configurable policy's schema is set: nothing falls back to a default on one side only.
      for (const p of PLATFORM_POLICIES.filter((x) => x.configSchema)) expect(Object.keys(file[p.name]).sort()).toEqual(Object.keys(p.configSchema!.properties).sort());
    }
  }, 60_000);

  it("the engine (getConfig = the file's entry for the policy) and the offline run reach the same verdict", async () => {
    const file = { "platform-vercel-function-limits": { vercelPlan: "hobby" }, "platform-istio-route-destination-resolves": { externalHosts: [] } };
    const s = clone(goodStack());
    const project = s.find((r) => r.type === "vercel:index/project:Project")!;
    project.props.resourceConfig.functionDefaultTimeout = 400;
    const offline = evaluatePolicies(s, [vercelFunctionLimits], packConfigFromPolicyConfig(file)).map((v) => v.message);
    const engine: string[] = [];
    const policy = toCrossGuardPolicy(vercelFunctionLimits) as ResourceValidationPolicy;
    const validate = policy.validateResource as (args: unknown, report: (m: string) => void) => void;
    // @pulumi/policy's getConfig returns policyPackConfig[policy.name] (server.js makeGetConfigFun).
    validate({ ...project, getConfig: () => file["platform-vercel-function-limits"] }, (m) => engine.push(m));
    expect(offline).toEqual([`Function timeout 400 s exceeds the hobby plan's 300 s.`]);
    expect(engine).toEqual([`Function timeout 400 s exceeds the hobby plan's 300 s. Fix: set resourceConfig.functionDefaultTimeout ≤ 300.`]);
  });
});
