import { finding } from "../../core/finding";
import { containersOf, isKind, isWorkload, podSpec } from "../../core/kube";
import { isSecretName, secretLikeValue } from "../../core/secrets";
import type { Finding, PlatformPolicy, ResourceLike } from "../../core/types";

/** Lines `KEY=value` of a `.env`-style ConfigMap entry. */
function envLines(text: string): [string, string][] {
  return text.split("\n").flatMap((l) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(l);
    return m ? [[m[1], m[2].replace(/^["']|["']$/g, "")] as [string, string]] : [];
  });
}

function judge(r: ResourceLike, where: string, name: string, value: string, fix: string): Finding[] {
  if (value === "") return [];
  const why = secretLikeValue(value) ?? (isSecretName(name) ? `a value under secret-like name "${name}"` : undefined);
  return why ? [finding(r, `${where} holds ${why} in plain text.`, fix)] : [];
}

/**
 * Each ConfigMap key and each literal env var is its own piece: a value computed from another
 * resource (unknown in a preview) skips only that key, so a literal password next to it still fails.
 */
export const noPlaintextSecrets: PlatformPolicy = {
  name: "platform-k8s-no-plaintext-secrets",
  description: "Checks that no ConfigMap entry or literal container env var holds a secret (by name pattern, known format or entropy).",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Move the value into a Kubernetes Secret (from pulumi.secret) and reference it with valueFrom.secretKeyRef or a Secret volume.",
  checkResource(r, ctx) {
    const out: Finding[] = [];
    if (isKind(r, "ConfigMap", "")) {
      for (const field of ["data", "binaryData"]) {
        const entries: Record<string, unknown> = r.props[field] ?? {};
        for (const key of Object.keys(entries)) {
          out.push(...ctx.part(`${field} "${key}"`, () => {
            const value = entries[key];
            if (typeof value !== "string") return [];
            const found = judge(r, `data "${key}"`, key, value, `move "${key}" into a Secret and mount or reference it from there.`);
            for (const [k, v] of envLines(value)) {
              if (isSecretName(k) && !secretLikeValue(value)) found.push(...judge(r, `data "${key}" line ${k}`, k, v, `remove ${k} from the ConfigMap and inject it from a Secret.`));
            }
            return found;
          }));
        }
      }
    }
    if (isWorkload(r)) {
      for (const { container, where } of containersOf(podSpec(r))) {
        const env: Record<string, any>[] = container.env ?? [];
        for (let i = 0; i < env.length; i++) {
          out.push(...ctx.part(`${where} env[${i}]`, () => {
            const e = env[i];
            return typeof e.value === "string" ? judge(r, `${where} env ${e.name}`, e.name, e.value, `use env ${e.name} with valueFrom.secretKeyRef instead of a literal value.`) : [];
          }));
        }
      }
    }
    return out;
  },
};
