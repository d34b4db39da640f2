/**
 * Adapts a {@link PlatformPolicy} to CrossGuard (engine side): resource policies become
 * `validateResource` (the engine runs them per resource BEFORE changing it, in preview and up),
 * stack policies `validateStack` (run once at the END of a preview or update). Each finding is
 * reported as "<message> Fix: <how>" on the offending URN. Pieces skipped for unknown values
 * (./unknown.ts) are reported after the findings by throwing an UnknownValueError, which the SDK
 * turns into an advisory "can't run policy … during preview: not checked, …" — the findings
 * already reported keep their mandatory level.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { Evaluation, unknownError } from "./unknown";
import { violationText, type PackConfig, type PlatformPolicy, type ResourceLike } from "./types";

export type CrossGuardPolicy = ResourceValidationPolicy | StackValidationPolicy;

export function toCrossGuardPolicy(p: PlatformPolicy): CrossGuardPolicy {
  const meta = { name: p.name, description: p.description, enforcementLevel: p.enforcementLevel, remediationSteps: p.remediation, configSchema: p.configSchema };
  const config = (args: { getConfig<T extends object>(): T }): Partial<PackConfig> => (p.configSchema ? args.getConfig<Partial<PackConfig>>() : {});
  const finish = (ev: Evaluation) => {
    const skipped = ev.skippedText();
    if (skipped) throw unknownError(skipped);
  };
  if (p.scope === "resource") {
    return {
      ...meta,
      validateResource: (args, reportViolation) => {
        const ev = new Evaluation(config(args));
        for (const f of p.checkResource(args as ResourceLike, ev)) reportViolation(violationText(f), f.urn);
        finish(ev);
      },
    };
  }
  return {
    ...meta,
    validateStack: (args, reportViolation) => {
      const ev = new Evaluation(config(args));
      for (const f of p.checkStack(args.resources as readonly PolicyResource[], ev)) reportViolation(violationText(f), f.urn);
      finish(ev);
    },
  };
}
