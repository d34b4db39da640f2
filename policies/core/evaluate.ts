/**
 * Runs policies offline over synthesized resources (no engine, no policy server), with the
 * engine's semantics: resource policies once per resource, stack policies once over all; an
 * unknown value (tests feed engine-shaped props, ./unknown.ts) skips only the piece that read
 * it and is reported as an advisory "could not check".
 */
import type { SynthResource } from "../../scripts/synth/mocks";
import { describe } from "./kube";
import { Evaluation, isUnknownError } from "./unknown";
import type { Finding, PackConfig, PlatformPolicy, ResourceLike } from "./types";

export interface Violation extends Finding {
  readonly policy: string;
  readonly enforcementLevel: PlatformPolicy["enforcementLevel"];
}

/** Synth output → the shape policies read (engine `props` = our recorded inputs). */
export function fromSynth(resources: readonly SynthResource[]): ResourceLike[] {
  return resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs, dependencies: (r.dependsOn ?? []).map((urn) => ({ urn })) }));
}

/** Every violation of every policy; a policy that throws is itself reported as a violation. */
export function evaluatePolicies(
  resources: readonly ResourceLike[],
  policies: readonly PlatformPolicy[],
  config: Partial<PackConfig> = {},
): Violation[] {
  return policies.flatMap((p) => {
    const level = p.enforcementLevel;
    const out: Violation[] = [];
    const run = (subject: string, urn: string | undefined, check: (ev: Evaluation) => Finding[]) => {
      const ev = new Evaluation(config);
      try {
        out.push(...check(ev).map((f) => ({ ...f, policy: p.name, enforcementLevel: level })));
      } catch (err) {
        if (isUnknownError(err)) ev.skipped.push(`${subject}: ${(err as Error).message}`);
        else out.push({ policy: p.name, enforcementLevel: level, resource: subject, message: `The policy failed: ${(err as Error).message}`, fix: "fix the policy or the resource it choked on." });
      }
      const skipped = ev.skippedText();
      if (skipped) out.push({ policy: p.name, enforcementLevel: "advisory", urn, resource: subject, message: `Could not check during preview: ${skipped}.`, fix: "nothing to do now; the update checks it once the value is known." });
    };
    if (p.scope === "resource") for (const r of resources) run(describe(r), r.urn, (ev) => p.checkResource(r, ev));
    else run("(stack)", undefined, (ev) => p.checkStack(resources, ev));
    return out;
  });
}
