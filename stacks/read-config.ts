import * as pulumi from "@pulumi/pulumi";
import { ConfigError, resolveConfig, type PlatformConfig } from "./config";

const NAMESPACE = "platform:";

/**
 * Reads every `platform:` key of the current stack (objects arrive JSON-encoded) and resolves
 * it against the stage defaults. Runs before any resource is declared, so a bad stack file
 * fails with every problem listed and nothing half-declared.
 */
export function loadStackConfig(stack = pulumi.getStack()): PlatformConfig {
  const cfg = resolveConfig(stack, platformSettings(pulumi.runtime.allConfig()));
  checkOrganization(cfg, engineOrganization());
  return cfg;
}

/** The file backend's (and the mocks') organisation: it says nothing about Pulumi Cloud. */
const NO_ORGANIZATION = "organization";

function engineOrganization(): string | undefined {
  try {
    return pulumi.getOrganization();
  } catch {
    return undefined; // older engines / mocks without an organisation
  }
}

/**
 * `platform:org` is the one source of the Pulumi organisation: CI builds the stack references
 * `<org>/platform/<stack>` from it (npm run stacks) and prod regions read their peers there. A
 * stack that runs in another organisation fails before declaring anything.
 */
export function checkOrganization(cfg: PlatformConfig, engineOrg: string | undefined): void {
  if (cfg.stage === "local" || !engineOrg || engineOrg === NO_ORGANIZATION || engineOrg === cfg.org) return;
  throw new ConfigError(cfg.stack, [`org: platform:org is "${cfg.org}" but the stack runs in Pulumi organisation "${engineOrg}"; fix stacks/Pulumi.${cfg.stack}.yaml or select ${cfg.org}/platform/${cfg.stack}`]);
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
