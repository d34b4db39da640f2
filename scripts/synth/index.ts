/**
 * Offline synth: the real program of each stack under Pulumi's mocks, no engine and no
 * credentials. Used by `npm run synth`, the tests, the policy runner and the offline diff.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { PEER_OUTPUTS_ENV } from "./fakes";
import { manifestsYaml } from "./manifests";
import type { SynthResource } from "./mocks";
import { REPO_ROOT } from "./stacks";

export { SHIPPED_STACKS, readStackConfig } from "./stacks";
export { kubeManifests, manifestsYaml } from "./manifests";
export type { SynthResource } from "./mocks";

export interface SynthResult {
  stack: string;
  /** Every registered resource, sorted by URN (stable across runs). */
  resources: SynthResource[];
  /** The stack's exports (secrets masked); absent from synths older than this field. */
  outputs?: Record<string, unknown>;
}

const run = promisify(execFile);

export interface SynthOptions {
  /** Repository root whose program and stack files are synthesized. @default - this checkout */
  readonly cwd?: string;
  /** Stack file to read instead of `stacks/Pulumi.<stack>.yaml`. */
  readonly configFile?: string;
  /** Outputs of the stacks this one references (stack name → outputs); others get fakes. */
  readonly peerOutputs?: Record<string, Record<string, unknown>>;
}

/** Synthesizes one stack in a child process. Rejects with the config problems or the program error. */
export async function synthStack(stack: string, opts: SynthOptions = {}): Promise<SynthResult> {
  const cwd = opts.cwd ?? REPO_ROOT;
  const args = ["--import", "tsx", join(cwd, "scripts", "synth", "run-stack.ts"), stack, ...(opts.configFile ? [resolve(opts.configFile)] : [])];
  try {
    // The program's working directory is stacks/, as under the engine (`main: stacks/`).
    const { stdout } = await run(process.execPath, args, { cwd: join(cwd, "stacks"), maxBuffer: 256 * 1024 * 1024, env: { ...process.env, PULUMI_NODEJS_SKIP_COMPLETION_CHECK: "1", ...(opts.peerOutputs ? { [PEER_OUTPUTS_ENV]: JSON.stringify(opts.peerOutputs) } : {}) } });
    const result = JSON.parse(stdout) as SynthResult;
    result.resources.sort((a, b) => a.urn.localeCompare(b.urn));
    return result;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`synth of stack "${stack}" failed:\n${(e.stderr || e.message).trim()}`);
  }
}

/** Writes `<out>/<stack>/manifests.yaml` and `<out>/<stack>/resources.json`. */
export function writeSynthOutput(result: SynthResult, outDir: string): { manifests: string; resources: string } {
  const dir = join(outDir, result.stack);
  mkdirSync(dir, { recursive: true });
  const manifests = join(dir, "manifests.yaml");
  const resources = join(dir, "resources.json");
  writeFileSync(manifests, manifestsYaml(result.resources));
  const entries = result.resources.map(({ urn, type, name, parent, inputs }) => ({ urn, type, name, parent: parent ?? null, inputs }));
  writeFileSync(resources, `${JSON.stringify(entries, null, 2)}\n`);
  return { manifests, resources };
}

/** Resource counts by type, for the summary table. */
export function countByType(result: SynthResult): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of result.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return counts;
}
