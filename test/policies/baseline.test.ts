import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluatePolicies } from "../../policies/core/evaluate";
import { PLATFORM_POLICIES } from "../../policies/policy-list";
import { goodStack } from "./fixtures";

describe("policy pack baseline", () => {
  it("has unique kebab-case names, 'Checks that' descriptions and a remediation per policy", () => {
    const names = PLATFORM_POLICIES.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of PLATFORM_POLICIES) {
      expect(p.name).toMatch(/^platform-[a-z0-9-]+$/);
      expect(p.description).toMatch(/^Checks that .+\.$/);
      expect(p.remediation.length).toBeGreaterThan(10);
      expect(["mandatory", "advisory"]).toContain(p.enforcementLevel);
    }
  });

  it("documents every policy in policies/README.md", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "policies", "README.md"), "utf8");
    expect(PLATFORM_POLICIES.filter((p) => !readme.includes(`| \`${p.name}\` |`)).map((p) => p.name)).toEqual([]);
    // The README names exactly the stack-scoped policies (the rest run before the change).
    const sentence = /Scope `stack` \(validateStack, end of the run\):([^;]*);/.exec(readme.replace(/\n/g, " "))![1];
    expect([...sentence.matchAll(/`(platform-[a-z0-9-]+)`/g)].map((m) => m[1]).sort()).toEqual(PLATFORM_POLICIES.filter((p) => p.scope === "stack").map((p) => p.name).sort());
  });

  for (const stack of ["prod-us-east-1", "staging-us-east-1", "local"]) {
    it(`the hand-made ${stack} stack passes every policy`, () => {
      expect(evaluatePolicies(goodStack(stack), PLATFORM_POLICIES).map((v) => `${v.policy}: ${v.resource}: ${v.message}`)).toEqual([]);
    });
  }
});
