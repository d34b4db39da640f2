/** Adapts a {@link PlatformPolicy} to a CrossGuard StackValidationPolicy (engine side). */
import type { StackValidationPolicy } from "@pulumi/policy";
import { DEFAULT_PACK_CONFIG, violationText, type PackConfig, type PlatformPolicy } from "./types";

export function toStackValidationPolicy(p: PlatformPolicy): StackValidationPolicy {
  return {
    name: p.name,
    description: p.description,
    enforcementLevel: p.enforcementLevel,
    remediationSteps: p.remediation,
    configSchema: p.configSchema,
    validateStack: (args, reportViolation) => {
      const config: PackConfig = { ...DEFAULT_PACK_CONFIG, ...(p.configSchema ? args.getConfig<Partial<PackConfig>>() : {}) };
      for (const f of p.check(args.resources, config)) reportViolation(violationText(f), f.urn);
    },
  };
}
