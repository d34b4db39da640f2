import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const REPO_ROOT = join(__dirname, "..", "..");
export const STACKS_DIR = join(REPO_ROOT, "stacks");
/**
 * The engine's working directory for the program: Pulumi.yaml's `main: stacks/` is a folder,
 * so the engine runs the program (and starts the providers) there (pkg/engine getPwdMain).
 */
export const PROGRAM_DIR = STACKS_DIR;

/** Every stack the repo ships, in deploy order (prod regions one after another). */
export const SHIPPED_STACKS = ["local", "dev-us-east-1", "staging-us-east-1", "prod-us-east-1", "prod-eu-west-1", "prod-ap-southeast-1"] as const;

/** Placeholder for `secure:` values: the synth never has the passphrase, nor needs it. */
export const SECRET_CONFIG_PLACEHOLDER = "synth-placeholder-secret";

/**
 * Reads `stacks/Pulumi.<stack>.yaml` into the engine's config format: `ns:key` → string, with
 * objects and arrays JSON-encoded exactly as the Pulumi CLI passes them to a program.
 */
export function readStackConfig(stack: string, file = join(STACKS_DIR, `Pulumi.${stack}.yaml`)): Record<string, string> {
  const doc = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    const isSecure = typeof value === "object" && value !== null && "secure" in value;
    out[key] = isSecure ? SECRET_CONFIG_PLACEHOLDER : typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}
