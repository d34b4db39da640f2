/**
 * The pack's own minimal shapes, so the same checks run under the Pulumi engine (CrossGuard
 * `PolicyResource`) and offline over synthesized resources (`SynthResource`, props = inputs).
 */
import type { PolicyConfigSchema } from "@pulumi/policy";

/** The subset of a resource every check needs; both `PolicyResource` and synth output fit it. */
export interface ResourceLike {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, any>;
}

/** One problem found by a policy, on one resource (or the stack when `urn` is undefined). */
export interface Finding {
  readonly urn?: string;
  /** Human name of the offending object, e.g. `VirtualService platform/telemetry`. */
  readonly resource: string;
  /** What is wrong, naming the field and the bad value. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Vercel plans whose function limits the serverless policy applies. */
export type VercelPlan = "hobby" | "pro" | "enterprise";

/** Policy configuration (CrossGuard policy config, or the offline runner's per-stack values). */
export interface PackConfig {
  /** Vercel plan of the stack's project. @default "pro" */
  readonly vercelPlan: VercelPlan;
  /** External hosts a route may target without a Service in the stack. @default [] */
  readonly externalHosts: readonly string[];
}

export const DEFAULT_PACK_CONFIG: PackConfig = { vercelPlan: "pro", externalHosts: [] };

/** A platform policy: CrossGuard metadata plus a pure check over the stack's resources. */
export interface PlatformPolicy {
  /** Unique, kebab-case, names what it checks. */
  readonly name: string;
  /** One sentence: "Checks that ...". */
  readonly description: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  /** Generic remediation, shown by `pulumi preview` next to the violation. */
  readonly remediation: string;
  /** CrossGuard config schema for the keys of {@link PackConfig} this policy reads. */
  readonly configSchema?: PolicyConfigSchema;
  check(resources: readonly ResourceLike[], config: PackConfig): Finding[];
}

/** The message a violation carries: what is wrong, then how to fix it. */
export function violationText(f: Finding): string {
  return `${f.message} Fix: ${f.fix}`;
}
