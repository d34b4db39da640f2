/**
 * Preflight decisions: what a stack needs from its cluster (derived from its config and its
 * synthesized manifests) against what the cluster has (facts gathered by ./kubectl.ts). Pure,
 * so the table logic is tested with injected facts.
 */
import type { PlatformConfig } from "../../stacks/config";
import type { ExampleLine } from "../../stacks/config/examples";
import type { KubeManifest } from "../synth/manifests";

/** What the cluster has, as far as the stack cares. */
export interface ClusterFacts {
  /** StorageClass names. */
  readonly storageClasses: readonly string[];
  /** APIService name → whether its Available condition is True. */
  readonly apiServices: Readonly<Record<string, boolean>>;
  /** Installed CRDs: group, kind and the versions served. */
  readonly crds: readonly { group: string; kind: string; served: readonly string[] }[];
  /** Namespaces running Istio ingress gateway pods (label istio=ingressgateway). */
  readonly ingressGatewayNamespaces: readonly string[];
  /** `namespace/name` of every Secret asked for that exists. */
  readonly secrets: readonly string[];
}

/** What the stack needs. */
export interface Requirements {
  readonly stack: string;
  readonly namespace: string;
  readonly storageClass: string;
  readonly tlsSecretName: string;
  /** The existing Secret holding the JWT key, when the key is not a Pulumi secret. */
  readonly jwtSecretName?: string;
  /** Whether the stack has HorizontalPodAutoscalers (they need metrics-server). */
  readonly hpa: boolean;
  /** Custom resource kinds the stack declares. */
  readonly customKinds: readonly { group: string; version: string; kind: string }[];
  /** Example values still in the stack file. */
  readonly examples: readonly ExampleLine[];
}

export interface CheckRow {
  readonly check: string;
  readonly ok: boolean;
  readonly found: string;
  readonly fix: string;
}

const METRICS_API = "v1beta1.metrics.k8s.io";
const ISTIO_GROUPS = ["networking.istio.io", "security.istio.io"];
/** Only stacks with custom domains declare Certificates, so only they need cert-manager. */
const CERT_MANAGER_GROUP = "cert-manager.io";

/** Built-in API groups (served by every conformant cluster): no CRD to look for. */
const builtIn = (group: string) => group === "" || !group.includes(".") || group.endsWith(".k8s.io");

/** The requirements of a stack from its resolved config, manifests and stack-file examples. */
export function requirementsOf(cfg: PlatformConfig, manifests: readonly KubeManifest[], examples: readonly ExampleLine[], jwtKeyIsPulumiSecret: boolean): Requirements {
  const kinds = new Map<string, { group: string; version: string; kind: string }>();
  for (const m of manifests) {
    const [group, version] = m.apiVersion.includes("/") ? m.apiVersion.split("/") : ["", m.apiVersion];
    if (!builtIn(group)) kinds.set(`${group}/${version}/${m.kind}`, { group, version, kind: m.kind });
  }
  return {
    stack: cfg.stack,
    namespace: cfg.namespace,
    storageClass: cfg.cassandra.storageClass,
    tlsSecretName: cfg.gateway.tlsSecretName,
    jwtSecretName: jwtKeyIsPulumiSecret ? undefined : (cfg.gateway.jwt.keySecretName ?? "gateway-jwt"),
    hpa: manifests.some((m) => m.kind === "HorizontalPodAutoscaler"),
    customKinds: [...kinds.values()].sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`)),
    examples,
  };
}

/** The `namespace/name` Secrets to look up, once the ingress gateway namespaces are known. */
export function secretsToAsk(req: Requirements, ingressGatewayNamespaces: readonly string[]): string[] {
  return [...ingressGatewayNamespaces.map((ns) => `${ns}/${req.tlsSecretName}`), ...(req.jwtSecretName ? [`${req.namespace}/${req.jwtSecretName}`] : [])];
}

/** One row per prerequisite; `facts` is an Error when the cluster could not be read. */
export function evaluate(req: Requirements, facts: ClusterFacts | Error): CheckRow[] {
  const rows: CheckRow[] = [examplesRow(req)];
  if (facts instanceof Error) {
    rows.push({ check: "cluster reachable", ok: false, found: facts.message.split("\n")[0], fix: "point --kubeconfig (or KUBECONFIG) and --context at the stack's cluster; check credentials" });
    return rows;
  }
  rows.push(storageClassRow(req, facts));
  if (req.hpa) {
    const available = facts.apiServices[METRICS_API];
    rows.push({
      check: "metrics-server (HPA metrics)",
      ok: available === true,
      found: available === undefined ? `no APIService ${METRICS_API}` : available ? `APIService ${METRICS_API} Available` : `APIService ${METRICS_API} not Available`,
      fix: "install metrics-server (EKS add-on `metrics-server`, or kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml)",
    });
  }
  rows.push(...ingressRows(req, facts));
  rows.push(...crdRows(req, facts));
  if (req.jwtSecretName) {
    const name = `${req.namespace}/${req.jwtSecretName}`;
    const ok = facts.secrets.includes(name);
    rows.push({
      check: "gateway JWT key Secret",
      ok,
      found: ok ? `Secret ${name}` : `no Secret ${name}`,
      fix: `kubectl create namespace ${req.namespace}; kubectl -n ${req.namespace} create secret generic ${req.jwtSecretName} --from-file=key=<public key PEM or JWKS JSON> (or set the Pulumi secret platform:jwtKey instead)`,
    });
  }
  return rows;
}

/** The example-values check alone (no cluster needed; the preview workflow runs it). */
export function examplesRow(req: Pick<Requirements, "stack" | "examples">): CheckRow {
  const lines = req.examples;
  return {
    check: "stack file has no example values",
    ok: lines.length === 0,
    found: lines.length === 0 ? "none" : `${lines.length} in stacks/Pulumi.${req.stack}.yaml, lines ${lines.map((l) => l.line).join(", ")}`,
    fix: "replace each value marked `# EXAMPLE` (or using an example.com / 123456789012 placeholder) with your own and drop the marker",
  };
}

function storageClassRow(req: Requirements, facts: ClusterFacts): CheckRow {
  const ok = facts.storageClasses.includes(req.storageClass);
  const encrypted = req.storageClass.includes("encrypted") ? ', encrypted: "true"' : "";
  return {
    check: `StorageClass ${req.storageClass} (Cassandra volumes)`,
    ok,
    found: ok ? "present" : `missing (have: ${facts.storageClasses.join(", ") || "none"})`,
    fix: `install the EBS CSI driver (EKS add-on aws-ebs-csi-driver) and create StorageClass ${req.storageClass}: provisioner ebs.csi.aws.com, parameters {type: gp3${encrypted}}, volumeBindingMode WaitForFirstConsumer`,
  };
}

function ingressRows(req: Requirements, facts: ClusterFacts): CheckRow[] {
  const namespaces = facts.ingressGatewayNamespaces;
  if (namespaces.length === 0) {
    return [{ check: "Istio ingress gateway", ok: false, found: "no pods labelled istio=ingressgateway", fix: "install the Istio ingress gateway (istioctl install, or the gateway Helm chart with label istio=ingressgateway)" }];
  }
  return namespaces.map((ns) => {
    const ok = facts.secrets.includes(`${ns}/${req.tlsSecretName}`);
    return {
      check: `ingress TLS Secret in ${ns}`,
      ok,
      found: ok ? `Secret ${ns}/${req.tlsSecretName}` : `no Secret ${ns}/${req.tlsSecretName}`,
      fix: `kubectl -n ${ns} create secret tls ${req.tlsSecretName} --cert=<fullchain.pem> --key=<key.pem> (or a cert-manager Certificate in ${ns})`,
    };
  });
}

function crdRows(req: Requirements, facts: ClusterFacts): CheckRow[] {
  const groups = new Map<string, { group: string; version: string; kind: string }[]>();
  for (const k of req.customKinds) {
    const label = ISTIO_GROUPS.includes(k.group)
      ? "Istio >= 1.22 (v1 APIs)"
      : k.group === "monitoring.coreos.com"
        ? "prometheus-operator CRDs"
        : k.group === CERT_MANAGER_GROUP
          ? "cert-manager CRDs (a Certificate per custom domain)"
          : `${k.group} CRDs`;
    groups.set(label, [...(groups.get(label) ?? []), k]);
  }
  return [...groups.entries()].map(([label, kinds]) => {
    const missing = kinds.filter((k) => !facts.crds.some((c) => c.group === k.group && c.kind === k.kind && c.served.includes(k.version)));
    const fix = label.startsWith("Istio")
      ? "install or upgrade Istio to 1.22 or later (istioctl install / helm upgrade istio-base); the stack uses the v1 APIs"
      : label.startsWith("prometheus-operator")
        ? "install the prometheus-operator CRDs (kube-prometheus-stack, or kubectl apply --server-side -f the operator's stripped-down-crds.yaml)"
        : label.startsWith("cert-manager")
          ? "install cert-manager (helm install cert-manager jetstack/cert-manager -n cert-manager --create-namespace --set crds.enabled=true) and the issuer named in platform:customDomains.certIssuer; or drop platform:customDomains.domains"
          : `install the CRDs of ${kinds[0]!.group}`;
    return {
      check: label,
      ok: missing.length === 0,
      found: missing.length === 0 ? `served: ${kinds.map((k) => `${k.kind} ${k.group}/${k.version}`).join(", ")}` : `not served: ${missing.map((k) => `${k.kind} ${k.group}/${k.version}`).join(", ")}`,
      fix,
    };
  });
}
