/**
 * Per-stack policy config: ONE generator for both runs. The engine gets it as the
 * `--policy-pack-config` file (`npm run --silent policy:config -- --stack <s> --out <file>`, used
 * by .github/workflows), the offline runner reads the same object flattened ({@link packConfigFor}).
 */
import { readStackConfig } from "../../scripts/synth";
import { resolveConfig, type PlatformConfig } from "../../stacks/config";
import { PLATFORM_POLICIES } from "../policy-list";
import type { PlatformPolicy } from "./types";
import { DEFAULT_PACK_CONFIG, type PackConfig } from "./types";

/** The stack's resolved config, read from `stacks/Pulumi.<stack>.yaml` over the stage defaults. */
export function resolvedConfigFor(stack: string): PlatformConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(readStackConfig(stack))) {
    if (!key.startsWith("platform:")) continue;
    try {
      raw[key.slice("platform:".length)] = JSON.parse(value);
    } catch {
      raw[key.slice("platform:".length)] = value;
    }
  }
  return resolveConfig(stack, raw);
}

/** Policy name → its config (the CrossGuard policy-config file format). */
export type PolicyPackConfig = Record<string, Record<string, unknown>>;

/** The pack's values for a stack: what comes from the stack's config (the Vercel plan), the rest default. */
export function packValuesFor(stack: string): PackConfig {
  return { ...DEFAULT_PACK_CONFIG, vercelPlan: resolvedConfigFor(stack).vercel.plan };
}

/** The `--policy-pack-config` object: each configurable policy gets the keys of its configSchema. */
export function policyPackConfigFor(stack: string, policies: readonly PlatformPolicy[]): PolicyPackConfig {
  const values = packValuesFor(stack) as unknown as Record<string, unknown>;
  return Object.fromEntries(
    policies
      .filter((p) => p.configSchema)
      .map((p) => [p.name, Object.fromEntries(Object.keys(p.configSchema!.properties).map((k) => [k, values[k]]))]),
  );
}

/** A policy-config object flattened into the offline {@link PackConfig} (each key belongs to one policy). */
export function packConfigFromPolicyConfig(file: PolicyPackConfig): Partial<PackConfig> {
  return Object.assign({}, ...Object.values(file));
}

/** The offline runner's config for a stack: the engine's file, flattened. */
export function packConfigFor(stack: string, policies: readonly PlatformPolicy[] = PLATFORM_POLICIES): Partial<PackConfig> {
  return packConfigFromPolicyConfig(policyPackConfigFor(stack, policies));
}
