/** Per-stack policy config for offline runs: the values the engine would get from policy config. */
import { readStackConfig } from "../../scripts/synth";
import { resolveConfig } from "../../stacks/config";
import type { PackConfig } from "./types";

/** The stack's Vercel plan from its resolved config (the only setting the pack takes from config). */
export function packConfigFor(stack: string): Partial<PackConfig> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(readStackConfig(stack))) {
    if (!key.startsWith("platform:")) continue;
    try {
      raw[key.slice("platform:".length)] = JSON.parse(value);
    } catch {
      raw[key.slice("platform:".length)] = value;
    }
  }
  return { vercelPlan: resolveConfig(stack, raw).vercel.plan };
}
