import { stringify } from "yaml";
import type { SynthResource } from "./mocks";

/** kubectl/Helm install order: what others depend on first, custom resources last. */
const KIND_ORDER = [
  "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget", "ServiceAccount", "Secret",
  "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
  "ClusterRoleBinding", "Role", "RoleBinding", "Service", "DaemonSet", "Pod", "ReplicaSet", "Deployment",
  "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
];

export interface KubeManifest {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; [k: string]: unknown };
  [field: string]: unknown;
}

const rank = (kind: string) => {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
};

/** Every Kubernetes object of a synthesized stack, as plain manifests, in apply order. */
export function kubeManifests(resources: readonly SynthResource[]): KubeManifest[] {
  return resources
    .filter((r) => r.custom && r.type.startsWith("kubernetes:") && typeof r.inputs.kind === "string")
    .map((r) => r.inputs as KubeManifest)
    .sort((a, b) => rank(a.kind) - rank(b.kind) || a.kind.localeCompare(b.kind) || key(a).localeCompare(key(b)));
}

const key = (m: KubeManifest) => `${m.metadata?.namespace ?? ""}/${m.metadata?.name ?? ""}`;

/** Multi-document YAML of {@link kubeManifests}. */
export function manifestsYaml(resources: readonly SynthResource[]): string {
  return kubeManifests(resources)
    .map((m) => stringify(m, { lineWidth: 0, sortMapEntries: false, version: "1.1" }))
    .join("---\n");
}
