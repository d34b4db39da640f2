/** Read-only helpers over Kubernetes objects as Pulumi sees them (type token + inputs). */
import { PLATFORM_NAMESPACE } from "../../components/shared/labels";
import type { ResourceLike } from "./types";

/** `kubernetes:apps/v1:Deployment` → `Deployment`; undefined for non-Kubernetes types. */
export function kubeKind(r: Pick<ResourceLike, "type">): string | undefined {
  const parts = r.type.split(":");
  return parts[0] === "kubernetes" && parts.length === 3 ? parts[2] : undefined;
}

/** `kubernetes:networking.istio.io/v1:VirtualService` → `networking.istio.io`; core → "". */
export function kubeGroup(r: Pick<ResourceLike, "type">): string {
  const gv = r.type.split(":")[1] ?? "";
  const group = gv.includes("/") ? gv.split("/")[0] : "";
  return group === "core" ? "" : group; // Pulumi spells the core group `core/v1`
}

/** Every object of `kind` (optionally of an API group). */
export function ofKind(resources: readonly ResourceLike[], kind: string, group?: string): ResourceLike[] {
  return resources.filter((r) => kubeKind(r) === kind && (group === undefined || kubeGroup(r) === group));
}

export const metaName = (r: ResourceLike): string => r.props?.metadata?.name ?? r.name;

/**
 * Namespace of an object. Objects without one land in the provider's namespace, which for
 * this platform is `platform` (see components/shared/labels.ts).
 */
export const metaNamespace = (r: ResourceLike): string => r.props?.metadata?.namespace ?? PLATFORM_NAMESPACE;

/** `Deployment platform/gateway`: how findings name Kubernetes objects (the Pulumi name if the object's is unknown). */
export const describe = (r: ResourceLike): string => {
  const kind = kubeKind(r);
  if (!kind) return `${r.type} ${r.name}`;
  try {
    return `${kind} ${metaNamespace(r)}/${metaName(r)}`;
  } catch {
    return `${kind} ${r.name}`; // metadata not known yet (preview)
  }
};

/** Whether `r` is a Kubernetes `kind` (optionally of an API group). */
export const isKind = (r: ResourceLike, kind: string, group?: string): boolean => kubeKind(r) === kind && (group === undefined || kubeGroup(r) === group);

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"] as const;

export const isWorkload = (r: ResourceLike): boolean => (WORKLOAD_KINDS as readonly (string | undefined)[]).includes(kubeKind(r));

export function workloads(resources: readonly ResourceLike[]): ResourceLike[] {
  return resources.filter(isWorkload);
}

/** The pod spec of a workload (CronJob → job template, Pod → itself). */
export function podSpec(r: ResourceLike): Record<string, any> | undefined {
  const kind = kubeKind(r);
  if (kind === "Pod") return r.props.spec;
  if (kind === "CronJob") return r.props.spec?.jobTemplate?.spec?.template?.spec;
  return r.props.spec?.template?.spec;
}

/** Pod template labels of a workload. */
export function podLabels(r: ResourceLike): Record<string, string> {
  const kind = kubeKind(r);
  if (kind === "Pod") return r.props.metadata?.labels ?? {};
  if (kind === "CronJob") return r.props.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
  return r.props.spec?.template?.metadata?.labels ?? {};
}

export interface ContainerRef {
  readonly container: Record<string, any>;
  /** `containers[0] "gateway"` or `initContainers[1] "schema"`. */
  readonly where: string;
}

/** Init, regular and ephemeral containers of a pod spec. */
export function containersOf(spec: Record<string, any> | undefined): ContainerRef[] {
  if (!spec) return [];
  const out: ContainerRef[] = [];
  for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
    (spec[field] ?? []).forEach((c: Record<string, any>, i: number) => out.push({ container: c, where: `${field}[${i}] "${known(() => c.name, "?")}"` }));
  }
  return out;
}

/** `fn()`, or `fallback` when it throws (e.g. reads a value unknown during preview). */
export function known<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

const MEMORY_UNITS: Record<string, number> = {
  "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Kubernetes memory quantity → bytes (`512Mi`, `1G`, `1e9`, 1024); undefined if unparsable. */
export function parseMemory(q: unknown): number | undefined {
  if (typeof q === "number") return q;
  if (typeof q !== "string") return undefined;
  const m = /^([0-9.]+(?:e[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(q.trim());
  return m ? Number(m[1]) * MEMORY_UNITS[m[2] ?? ""] : undefined;
}

/** Kubernetes CPU quantity → millicores (`500m`, `2`, 0.5); undefined if unparsable. */
export function parseCpu(q: unknown): number | undefined {
  if (typeof q === "number") return q * 1000;
  if (typeof q !== "string") return undefined;
  const m = /^([0-9.]+)(m)?$/.exec(q.trim());
  if (!m) return undefined;
  return m[2] ? Number(m[1]) : Number(m[1]) * 1000;
}

/** Whether `selector.matchLabels` (and simple matchExpressions) select pods with `labels`. */
export function selects(selector: Record<string, any> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const ml: Record<string, string> = selector.matchLabels ?? {};
  const exprs: any[] = selector.matchExpressions ?? [];
  if (Object.keys(ml).length === 0 && exprs.length === 0) return false; // an empty selector is almost always a mistake
  if (!Object.entries(ml).every(([k, v]) => labels[k] === v)) return false;
  return exprs.every((e) => {
    const has = e.key in labels;
    switch (e.operator) {
      case "In": return has && (e.values ?? []).includes(labels[e.key]);
      case "NotIn": return !has || !(e.values ?? []).includes(labels[e.key]);
      case "Exists": return has;
      case "DoesNotExist": return !has;
      default: return false;
    }
  });
}

/** The stack name from a URN (`urn:pulumi:<stack>::<project>::...`). */
export function stackOfUrn(urn: string): string {
  return urn.startsWith("urn:pulumi:") ? urn.slice("urn:pulumi:".length).split("::")[0] : "";
}

/** `prod` for `prod-eu-west-1`, `local` for `local`; undefined for other names. */
export function stageOfUrn(urn: string): string | undefined {
  const stack = stackOfUrn(urn);
  if (stack === "local") return "local";
  const m = /^(dev|staging|prod)-/.exec(stack);
  return m?.[1];
}

/** Whether one resource belongs to a prod stack (judged from its URN). */
export const isProdResource = (r: ResourceLike): boolean => stageOfUrn(r.urn) === "prod";

/** Whether the resources belong to a prod stack (judged from their URNs). */
export function isProd(resources: readonly ResourceLike[]): boolean {
  return resources.some((r) => stageOfUrn(r.urn) === "prod");
}

/** Replicas a Deployment/StatefulSet runs with: the HPA's minReplicas when one targets it. */
export function effectiveReplicas(r: ResourceLike, resources: readonly ResourceLike[]): number {
  const hpa = hpaFor(r, resources);
  if (hpa) return hpa.props.spec?.minReplicas ?? 1;
  return r.props.spec?.replicas ?? 1;
}

/** The HorizontalPodAutoscaler whose scaleTargetRef names this workload. */
export function hpaFor(r: ResourceLike, resources: readonly ResourceLike[]): ResourceLike | undefined {
  return ofKind(resources, "HorizontalPodAutoscaler").find((h) => {
    const ref = h.props.spec?.scaleTargetRef ?? {};
    return ref.kind === kubeKind(r) && ref.name === metaName(r) && metaNamespace(h) === metaNamespace(r);
  });
}

/** Annotations that make a cloud load balancer internal (no public address). */
const INTERNAL_LB: Record<string, string[]> = {
  "service.beta.kubernetes.io/aws-load-balancer-internal": ["true", "0.0.0.0/0"],
  "service.beta.kubernetes.io/aws-load-balancer-scheme": ["internal"],
  "networking.gke.io/load-balancer-type": ["Internal"],
  "service.beta.kubernetes.io/azure-load-balancer-internal": ["true"],
};

/** A LoadBalancer Service annotated as internal (reachable from the VPC only). */
export function isInternalLoadBalancer(svc: ResourceLike): boolean {
  const ann: Record<string, string> = svc.props.metadata?.annotations ?? {};
  return Object.keys(INTERNAL_LB).some((k) => INTERNAL_LB[k].includes(ann[k]));
}
