import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const REPO_ROOT = join(__dirname, "..", "..");
export const STACKS_DIR = join(REPO_ROOT, "stacks");
/**
 * The engine's working directory for the program: Pulumi.yaml's `main: stacks/` is a folder,
 * so the engine runs the program (and starts the providers) there (pkg/engine getPwdMain).
 */
export const PROGRAM_DIR = STACKS_DIR;

const STAGE_ORDER = ["local", "dev", "staging", "prod"] as const;

export interface StackPlan {
  readonly stack: string;
  /** `local`, `dev`, `staging` or `prod` (from the name: `local` or `<stage>-<region>`). */
  readonly stage: string;
  /** AWS region; empty for `local`. */
  readonly region: string;
  /** Prod stacks this one joins (`cassandra.peerRegions`): they deploy first. */
  readonly after: readonly string[];
}

/**
 * Every `stacks/Pulumi.<stack>.yaml`, in deploy order: local, dev, staging, then prod with each
 * region after the regions it joins (`platform:cassandra.peerRegions`; the founder first). The one
 * source of every stack list: synth/policy `--all`, the preview matrix and the deploy chain
 * (`npm run --silent stacks -- --json`, .github/workflows).
 */
export function discoverStacks(dir = STACKS_DIR): StackPlan[] {
  const plans = readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort()
    .map((stack): StackPlan => {
      const m = /^(dev|staging|prod)-(.+)$/.exec(stack);
      const stage = stack === "local" ? "local" : m?.[1];
      if (!stage) throw new Error(`stacks/Pulumi.${stack}.yaml: a stack is named "local" or "<dev|staging|prod>-<region>"`);
      const cfg = (parse(readFileSync(join(dir, `Pulumi.${stack}.yaml`), "utf8")) ?? {}) as { config?: Record<string, any> };
      const peers: string[] = cfg.config?.["platform:cassandra"]?.peerRegions ?? [];
      return { stack, stage, region: m?.[2] ?? "", after: peers.map((r) => `${stage}-${r}`) };
    });
  const byName = new Map(plans.map((p) => [p.stack, p]));
  const out: StackPlan[] = [];
  const visit = (p: StackPlan, path: string[]) => {
    if (out.includes(p)) return;
    if (path.includes(p.stack)) throw new Error(`stacks join each other in a cycle: ${[...path, p.stack].join(" → ")}`);
    for (const dep of p.after) {
      const d = byName.get(dep);
      if (!d) throw new Error(`stacks/Pulumi.${p.stack}.yaml joins ${dep}, which has no stack file`);
      visit(d, [...path, p.stack]);
    }
    out.push(p);
  };
  for (const stage of STAGE_ORDER) for (const p of plans.filter((x) => x.stage === stage)) visit(p, []);
  return out;
}

/** Every stack the repo ships, in deploy order (see {@link discoverStacks}). */
export const SHIPPED_STACKS: readonly string[] = discoverStacks().map((p) => p.stack);

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
