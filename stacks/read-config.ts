import * as pulumi from "@pulumi/pulumi";
import { resolveConfig, type PlatformConfig } from "./config";

const NAMESPACE = "platform:";

/**
 * Reads every `platform:` key of the current stack (objects arrive JSON-encoded) and resolves
 * it against the stage defaults. Runs before any resource is declared, so a bad stack file
 * fails with every problem listed and nothing half-declared.
 */
export function loadStackConfig(stack = pulumi.getStack()): PlatformConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (!key.startsWith(NAMESPACE)) continue;
    raw[key.slice(NAMESPACE.length)] = parseValue(value);
  }
  return resolveConfig(stack, raw);
}

function parseValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value; // plain strings are not JSON-quoted
  }
}
