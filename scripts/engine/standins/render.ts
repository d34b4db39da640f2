/**
 * Pure helpers of the render-only Kubernetes provider stand-in (see ./main.ts): where an
 * object's manifest goes, plain values for YAML, and the diff the engine asks for.
 */
import { join } from "node:path";

/** Pulumi's wire markers (sdk/go/common/resource/sig): a secret wrapper and an unknown preview value. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; [k: string]: Json | undefined };
  [k: string]: unknown;
}

/** Drops Pulumi's secret wrappers (the rendered file is plaintext, as with the real provider). */
export function reveal(value: Json): Json {
  if (Array.isArray(value)) return value.map(reveal);
  if (value !== null && typeof value === "object") {
    if (value[SIG_KEY] === SECRET_SIG) return reveal(value.value ?? null);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  }
  return value;
}

/** True while any value is still unknown (preview before dependencies exist). */
export function hasUnknowns(value: Json): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(hasUnknowns);
  if (value !== null && typeof value === "object") return Object.values(value).some(hasUnknowns);
  return false;
}

/** The object as it would be sent to the API server: no secrets wrappers, no engine bookkeeping. */
export function toKubeObject(inputs: Record<string, Json>): KubeObject {
  const plain = reveal(inputs) as Record<string, Json>;
  delete plain.__defaults;
  delete plain.__inputs;
  if (typeof plain.apiVersion !== "string" || typeof plain.kind !== "string") {
    throw new Error(`not a Kubernetes object (apiVersion/kind missing): ${JSON.stringify(plain).slice(0, 200)}`);
  }
  const metadata = (plain.metadata ?? {}) as KubeObject["metadata"];
  return { ...plain, metadata } as KubeObject;
}

/**
 * `<dir>/0-crd/` for CustomResourceDefinitions (so they can be applied first), `<dir>/1-manifest/`
 * for everything else; one file per object, `<apiVersion>-<kind>-<namespace>-<name>.yaml`, the
 * layout of pulumi-kubernetes' renderYamlToDirectory.
 */
export function manifestPath(dir: string, obj: KubeObject): string {
  const sanitize = (s: string) => s.replace(/[/\\:]/g, "_").toLowerCase();
  const file = `${sanitize(obj.apiVersion)}-${obj.kind.toLowerCase()}-${obj.metadata.namespace ?? ""}-${obj.metadata.name ?? ""}.yaml`;
  return join(dir, obj.kind === "CustomResourceDefinition" ? "0-crd" : "1-manifest", file);
}

/** Stable JSON (sorted keys) so key order never shows up as a change. */
export function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined && k !== "__defaults" && k !== "__inputs")
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

export interface RenderDiff {
  changes: boolean;
  /** Properties whose change needs a new object (identity of the object). */
  replaces: string[];
}

/** Compares old state with new inputs; identity changes (kind, name, namespace) replace. */
export function diffObjects(olds: Record<string, Json>, news: Record<string, Json>): RenderDiff {
  const a = reveal(olds) as Record<string, Json>;
  const b = reveal(news) as Record<string, Json>;
  if (canonical(a) === canonical(b)) return { changes: false, replaces: [] };
  const meta = (o: Record<string, Json>) => (o.metadata ?? {}) as Record<string, Json>;
  const replaces: string[] = [];
  if (a.apiVersion !== b.apiVersion) replaces.push("apiVersion");
  if (a.kind !== b.kind) replaces.push("kind");
  if (meta(a).name !== meta(b).name) replaces.push("metadata.name");
  if (meta(a).namespace !== meta(b).namespace) replaces.push("metadata.namespace");
  return { changes: true, replaces };
}
