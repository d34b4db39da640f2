/** Per-stack policy config for offline runs: the values the engine would get from policy config. */
import { readStackConfig } from "../../scripts/synth";
import { resolveConfig, type PlatformConfig } from "../../stacks/config";
import type { PackConfig } from "./types";

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

/** The stack's Vercel plan (the only setting the pack takes from config; see the README). */
export function packConfigFor(stack: string): Partial<PackConfig> {
  return { vercelPlan: resolvedConfigFor(stack).vercel.plan };
}
