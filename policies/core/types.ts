/**
 * The pack's own minimal shapes, so the same checks run under the Pulumi engine (CrossGuard
 * `PolicyResource` / `ResourceValidationArgs`) and offline over synthesized resources
 * (`SynthResource`, props = inputs).
 */
import type { PolicyConfigSchema } from "@pulumi/policy";

/** The subset of a resource every check needs; both `PolicyResource` and synth output fit it. */
export interface ResourceLike {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, any>;
  /** Resources this one waits for (engine: PolicyResource.dependencies in stack policies; offline: recorded dependsOn). */
  readonly dependencies?: readonly { readonly urn: string }[];
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

/**
 * What a check gets besides the resource(s): the config, and `part` — wrap each independent
 * piece of a check (one container, one ConfigMap key) so a value the engine does not know yet
 * (preview) skips only that piece; the others still report. See ./unknown.ts.
 */
export interface CheckContext {
  readonly config: PackConfig;
  /** Runs `fn`; if it reads an unknown value, records `what` as not checked and returns []. */
  part(what: string, fn: () => Finding[]): Finding[];
}

interface PolicyMeta {
  /** Unique, kebab-case, names what it checks. */
  readonly name: string;
  /** One sentence: "Checks that ...". */
  readonly description: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  /** Generic remediation, shown by `pulumi preview` next to the violation. */
  readonly remediation: string;
  /** CrossGuard config schema for the keys of {@link PackConfig} this policy reads. */
  readonly configSchema?: PolicyConfigSchema;
}

/**
 * Judges one resource on its own inputs. Runs as CrossGuard `validateResource`: the engine
 * calls it for each resource before creating/updating it, in preview and in `up`, so a mandatory
 * violation stops the change. Prefer this kind: every check that needs only the resource.
 */
export interface ResourcePolicy extends PolicyMeta {
  readonly scope: "resource";
  checkResource(resource: ResourceLike, ctx: CheckContext): Finding[];
}

/**
 * Needs several resources at once (a route and its Services, a workload and its PDB). Runs as
 * CrossGuard `validateStack`, which the engine calls only at the END of a preview or update —
 * in `up`, after the changes were made — so deploys gate on a preview first (deploy.yml).
 */
export interface StackPolicy extends PolicyMeta {
  readonly scope: "stack";
  checkStack(resources: readonly ResourceLike[], ctx: CheckContext): Finding[];
}

/** A platform policy: CrossGuard metadata plus a pure check. */
export type PlatformPolicy = ResourcePolicy | StackPolicy;

/** The message a violation carries: what is wrong, then how to fix it. */
export function violationText(f: Finding): string {
  return `${f.message} Fix: ${f.fix}`;
}
