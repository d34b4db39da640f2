/** Runs policies offline over synthesized resources (no engine, no policy server). */
import type { SynthResource } from "../../scripts/synth/mocks";
import { DEFAULT_PACK_CONFIG, type Finding, type PackConfig, type PlatformPolicy, type ResourceLike } from "./types";

export interface Violation extends Finding {
  readonly policy: string;
  readonly enforcementLevel: PlatformPolicy["enforcementLevel"];
}

/** Synth output → the shape policies read (engine `props` = our recorded inputs). */
export function fromSynth(resources: readonly SynthResource[]): ResourceLike[] {
  return resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs }));
}

/** Every violation of every policy; a policy that throws is itself reported as a violation. */
export function evaluatePolicies(
  resources: readonly ResourceLike[],
  policies: readonly PlatformPolicy[],
  config: Partial<PackConfig> = {},
): Violation[] {
  const cfg = { ...DEFAULT_PACK_CONFIG, ...config };
  return policies.flatMap((p) => {
    try {
      return p.check(resources, cfg).map((f) => ({ ...f, policy: p.name, enforcementLevel: p.enforcementLevel }));
    } catch (err) {
      return [{ policy: p.name, enforcementLevel: p.enforcementLevel, resource: "(stack)", message: `The policy failed: ${(err as Error).message}`, fix: "fix the policy or the resource it choked on." }];
    }
  });
}
