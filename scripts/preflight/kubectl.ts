/**
 * Cluster facts for the preflight, read with kubectl (installed by scripts/apt-install.sh) from
 * any kubeconfig: no client library, and exactly what an operator would type to check by hand.
 */
import { execFileSync } from "node:child_process";
import type { ClusterFacts } from "./checks";

export interface KubectlTarget {
  /** kubeconfig file. @default - kubectl's own (KUBECONFIG, then ~/.kube/config) */
  readonly kubeconfig?: string;
  /** kubeconfig context. @default - the current context */
  readonly context?: string;
}

type Json = Record<string, any>;

/** kubectl's global flags for a target (also `npm run restore`'s). */
export function kubectlTargetArgs(target: KubectlTarget): string[] {
  return [...(target.kubeconfig ? ["--kubeconfig", target.kubeconfig] : []), ...(target.context ? ["--context", target.context] : [])];
}

class NotFound extends Error {}

function kubectl(target: KubectlTarget, args: string[]): Json {
  const base = [...kubectlTargetArgs(target), "--request-timeout=15s"];
  try {
    return JSON.parse(execFileSync("kubectl", [...base, ...args, "-o", "json"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === "ENOENT") throw new Error("kubectl not found: run `npm run setup`");
    const stderr = (e.stderr ?? e.message).trim();
    if (/\(NotFound\)/.test(stderr)) throw new NotFound(stderr);
    throw new Error(`kubectl ${args.join(" ")}: ${stderr}`);
  }
}

const optional = (f: () => Json): Json | undefined => {
  try {
    return f();
  } catch (err) {
    if (err instanceof NotFound) return undefined;
    throw err;
  }
};

/**
 * Reads the facts; `secretsFor` names the `namespace/name` Secrets to look up once the ingress
 * gateway namespaces are known. Throws when the cluster cannot be read at all.
 */
export function gatherFacts(target: KubectlTarget, secretsFor: (ingressGatewayNamespaces: string[]) => string[]): ClusterFacts {
  const storageClasses = (kubectl(target, ["get", "storageclasses"]).items as Json[]).map((i) => i.metadata.name as string);
  const metrics = optional(() => kubectl(target, ["get", "apiservice", "v1beta1.metrics.k8s.io"]));
  const apiServices: Record<string, boolean> = {};
  if (metrics) apiServices["v1beta1.metrics.k8s.io"] = ((metrics.status?.conditions ?? []) as Json[]).some((c) => c.type === "Available" && c.status === "True");
  const crds = (kubectl(target, ["get", "customresourcedefinitions"]).items as Json[]).map((c) => ({
    group: c.spec.group as string,
    kind: c.spec.names.kind as string,
    served: ((c.spec.versions ?? []) as Json[]).filter((v) => v.served).map((v) => v.name as string),
  }));
  const pods = kubectl(target, ["get", "pods", "--all-namespaces", "-l", "istio=ingressgateway"]).items as Json[];
  const ingressGatewayNamespaces = [...new Set(pods.map((p) => p.metadata.namespace as string))].sort();
  const secrets = secretsFor(ingressGatewayNamespaces).filter((ref) => {
    const [namespace, name] = ref.split("/");
    return optional(() => kubectl(target, ["get", "secret", name!, "-n", namespace!])) !== undefined;
  });
  return { storageClasses, apiServices, crds, ingressGatewayNamespaces, secrets };
}
