import * as pulumi from "@pulumi/pulumi";
import { resolveConfig, type PlatformConfig } from "./config";

const NAMESPACE = "platform:";

/**
 * Reads every `platform:` key of the current stack (objects arrive JSON-encoded) and resolves
 * it against the stage defaults. Runs before any resource is declared, so a bad stack file
 * fails with every problem listed and nothing half-declared.
 */
export function loadStackConfig(stack = pulumi.getStack()): PlatformConfig {
  return resolveConfig(stack, platformSettings(pulumi.runtime.allConfig()));
}

/** The `platform:` keys of engine-format config (`ns:key` → string), values decoded. */
export function platformSettings(config: Record<string, string>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(NAMESPACE)) raw[key.slice(NAMESPACE.length)] = parseValue(value);
  }
  return raw;
}

function parseValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value; // plain strings are not JSON-quoted
  }
}
