/**
 * Shared by the control-plane tests: every shipped stack's Kubernetes objects from the offline
 * synth (the same YAML `npm run synth` writes to out/<stack>/manifests.yaml), and the tools.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { SHIPPED_STACKS, manifestsYaml, synthStack } from "../../scripts/synth";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface StackObjects {
  readonly stack: string;
  /** The rendered multi-document YAML, exactly as kubectl would read it from out/. */
  readonly yaml: string;
  readonly objects: KubeObject[];
}

export function parseYaml(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

let all: Promise<StackObjects[]> | undefined;

/** Synthesizes every shipped stack once per test file (two at a time). */
export function shippedStackObjects(): Promise<StackObjects[]> {
  all ??= (async () => {
    const out: StackObjects[] = [];
    const stacks = [...SHIPPED_STACKS];
    while (stacks.length > 0) {
      const batch = stacks.splice(0, 2);
      for (const r of await Promise.all(batch.map((s) => synthStack(s)))) {
        const yaml = manifestsYaml(r.resources);
        out.push({ stack: r.stack, yaml, objects: parseYaml(yaml) });
      }
    }
    return out;
  })();
  return all;
}

/** Writes YAML to a temp file (for `kubectl -f` / `istioctl -f`). */
export function tempYaml(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "platform-cluster-")), `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

