import { finding } from "../../core/finding";
import { containersOf, ofKind, podSpec, workloads } from "../../core/kube";
import { isSecretName, secretLikeValue } from "../../core/secrets";
import type { Finding, PlatformPolicy } from "../../core/types";

/** Lines `KEY=value` of a `.env`-style ConfigMap entry. */
function envLines(text: string): [string, string][] {
  return text.split("\n").flatMap((l) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(l);
    return m ? [[m[1], m[2].replace(/^["']|["']$/g, "")] as [string, string]] : [];
  });
}

export const noPlaintextSecrets: PlatformPolicy = {
  name: "platform-k8s-no-plaintext-secrets",
  description: "Checks that no ConfigMap entry or literal container env var holds a secret (by name pattern, known format or entropy).",
  enforcementLevel: "mandatory",
  remediation: "Move the value into a Kubernetes Secret (from pulumi.secret) and reference it with valueFrom.secretKeyRef or a Secret volume.",
  check(resources) {
    const out: Finding[] = [];
    const judge = (r: Parameters<typeof finding>[0], where: string, name: string, value: string, fix: string) => {
      if (value === "") return;
      const why = secretLikeValue(value) ?? (isSecretName(name) ? `a value under secret-like name "${name}"` : undefined);
      if (why) out.push(finding(r, `${where} holds ${why} in plain text.`, fix));
    };
    for (const cm of ofKind(resources, "ConfigMap", "")) {
      for (const [key, value] of Object.entries<unknown>({ ...cm.props.data, ...cm.props.binaryData })) {
        if (typeof value !== "string") continue;
        judge(cm, `data "${key}"`, key, value, `move "${key}" into a Secret and mount or reference it from there.`);
        for (const [k, v] of envLines(value)) {
          if (isSecretName(k) && !secretLikeValue(value)) judge(cm, `data "${key}" line ${k}`, k, v, `remove ${k} from the ConfigMap and inject it from a Secret.`);
        }
      }
    }
    for (const w of workloads(resources)) {
      for (const { container, where } of containersOf(podSpec(w))) {
        for (const e of container.env ?? []) {
          if (typeof e.value === "string") judge(w, `${where} env ${e.name}`, e.name, e.value, `use env ${e.name} with valueFrom.secretKeyRef instead of a literal value.`);
        }
      }
    }
    return out;
  },
};
