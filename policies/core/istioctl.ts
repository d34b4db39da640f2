/**
 * Istio's own checks over a stack's rendered objects, run by `npm run policy` beside the pack and
 * by test/cluster/istioctl.test.ts: `istioctl analyze --use-kube=false -A` (references across
 * objects: gateways, hosts, subsets, unreachable or shadowed matches) and `istioctl validate`
 * (the rules Istio's admission webhook applies). Any message is a mandatory violation; the few
 * that are accepted are listed with their reason in policies/README.md.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { istioctlBin } from "../../scripts/cluster/tools";
import type { Violation } from "./evaluate";

export interface AnalyzeMessage {
  code: string;
  level: string;
  message: string;
  origin?: string;
}

interface Obj {
  apiVersion: string;
  kind: string;
}

function withFile<T>(yaml: string, use: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "istioctl-"));
  try {
    const file = join(dir, "objects.yaml");
    writeFileSync(file, yaml);
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Istio's objects and what they reference (Services, workloads, namespaces): analyze's input. */
export function meshYaml(manifests: string): string {
  return parseAllDocuments(manifests)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null && (o.apiVersion.includes("istio.io") || ["Service", "Namespace", "Deployment", "StatefulSet"].includes(o.kind)))
    .map((o) => stringify(o, { version: "1.1" }))
    .join("---\n");
}

/** `istioctl analyze` offline, all namespaces (without -A it reports only `default`). */
export function istioAnalyze(yaml: string): AnalyzeMessage[] {
  return withFile(yaml, (file) => {
    const r = spawnSync(istioctlBin(), ["analyze", "--use-kube=false", "-A", "--output", "json", "--output-threshold", "Info", file], { encoding: "utf8", maxBuffer: 64 << 20 });
    const text = r.stdout.trim();
    // The JSON lists every message of any level; exit 0 only means nothing at Error level.
    const messages = (text.startsWith("[") ? JSON.parse(text) : []) as AnalyzeMessage[];
    if (r.status !== 0 && messages.length === 0) throw new Error(`istioctl analyze failed (exit ${r.status}): ${r.stderr.trim()}`);
    return messages;
  });
}

/** `istioctl validate -f`: exit status and every line it printed. */
export function istioValidate(yaml: string): { status: number; output: string } {
  return withFile(yaml, (file) => {
    const r = spawnSync(istioctlBin(), ["validate", "-f", file], { encoding: "utf8", maxBuffer: 64 << 20 });
    return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}`.trim() };
  });
}

/** Every line of `istioctl validate` output other than the closing `"<file>" is valid`. */
export function validationFindings(output: string): string[] {
  return output.split("\n").filter((l) => l.trim() !== "" && !/^".*" is valid$/.test(l.trim()));
}

/** Both checks over one stack's manifests, as violations of the offline policy table. */
export function istioViolations(manifests: string): Violation[] {
  const analyzed = istioAnalyze(meshYaml(manifests)).map<Violation>((m) => ({
    policy: `istioctl-analyze ${m.code}`,
    enforcementLevel: "mandatory",
    urn: m.origin ?? "",
    resource: m.origin ?? "(stack)",
    message: `${m.level}: ${m.message}`,
    fix: "see https://istio.io/latest/docs/reference/config/analysis/ for the code",
  }));
  const validated = istioValidate(manifests);
  // A clean run prints only `"<file>" is valid`; anything else is a finding.
  const lines = validationFindings(validated.output);
  if (validated.status !== 0 && lines.length === 0) lines.push(validated.output);
  return [
    ...analyzed,
    ...lines.map<Violation>((line) => ({ policy: "istioctl-validate", enforcementLevel: "mandatory", urn: "", resource: "(stack)", message: line, fix: "fix the object istioctl names" })),
  ];
}
