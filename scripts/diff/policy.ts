/**
 * The policy pack's verdict on the head of a stack, offline: the same checks `pulumi preview
 * --policy-pack policies` runs, evaluated over the synthesized resources (policies/core).
 */
import type { SynthResource } from "../synth/mocks";

export interface PolicyViolation {
  readonly policy: string;
  readonly level: "mandatory" | "advisory";
  readonly resource: string;
  readonly message: string;
}

export interface PolicyResult {
  /** `fail` = at least one mandatory violation; `error` = the pack could not be evaluated. */
  readonly status: "pass" | "fail" | "error";
  readonly policies: number;
  readonly violations: readonly PolicyViolation[];
  readonly error?: string;
}

/** Runs every platform policy over `resources` of `stack`. Never throws: a broken pack is `error`. */
export async function evaluateHeadPolicies(stack: string, resources: readonly SynthResource[]): Promise<PolicyResult> {
  try {
    // Loaded lazily: the pack is optional for the diff, and its own errors must not hide the diff.
    const { evaluatePolicies, fromSynth } = await import("../../policies/core/evaluate");
    const { PLATFORM_POLICIES } = await import("../../policies/policy-list");
    const { packConfigFor } = await import("../../policies/core/stack-config");
    let config = {};
    try {
      config = packConfigFor(stack);
    } catch {
      // A stack file the resolver rejects fails the synth first; defaults are fine here.
    }
    const violations = evaluatePolicies(fromSynth(resources), PLATFORM_POLICIES, config).map((v) => ({
      policy: v.policy,
      level: v.enforcementLevel,
      resource: v.resource,
      message: v.message,
    }));
    return { status: violations.some((v) => v.level === "mandatory") ? "fail" : "pass", policies: PLATFORM_POLICIES.length, violations };
  } catch (err) {
    return { status: "error", policies: 0, violations: [], error: (err as Error).message.split("\n")[0] };
  }
}

/** One line: `pass (31 policies, 2 advisory)`. */
export function policyLine(p: PolicyResult): string {
  if (p.status === "error") return `not evaluated (${p.error})`;
  const mandatory = p.violations.filter((v) => v.level === "mandatory").length;
  const advisory = p.violations.length - mandatory;
  const parts = [`${p.policies} policies`, ...(mandatory ? [`${mandatory} mandatory violation${mandatory === 1 ? "" : "s"}`] : []), ...(advisory ? [`${advisory} advisory`] : [])];
  return `${p.status} (${parts.join(", ")})`;
}
