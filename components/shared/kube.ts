import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { App, Chart } from "cdk8s";

/** A Kubernetes object as plain data (cdk8s output or a hand-built literal). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

type Ctor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

// Built-in kinds get their typed class (so the engine, tests and policies see the real type
// token); anything else (Istio, prometheus-operator CRDs) is a generic CustomResource.
const TYPED: Record<string, Ctor> = {
  "v1/ConfigMap": k8s.core.v1.ConfigMap,
  "v1/Secret": k8s.core.v1.Secret,
  "v1/Service": k8s.core.v1.Service,
  "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
  "v1/Namespace": k8s.core.v1.Namespace,
  "apps/v1/Deployment": k8s.apps.v1.Deployment,
  "apps/v1/StatefulSet": k8s.apps.v1.StatefulSet,
  "batch/v1/Job": k8s.batch.v1.Job,
  "batch/v1/CronJob": k8s.batch.v1.CronJob,
  "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
  "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
  "autoscaling/v2/HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
  "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
};

/** Logical Pulumi name for an object: kind and name, unique within a stack. */
export function kubeLogicalName(obj: Pick<KubeObject, "kind" | "metadata">): string {
  return `${obj.kind.toLowerCase()}-${obj.metadata.name}`;
}

/**
 * Registers each object as its own Pulumi resource (never an opaque `yaml.v2.ConfigGroup`), so
 * previews, tests, synth and policies see every Kubernetes object.
 */
export function declareKubeObject(obj: pulumi.Input<any> & KubeObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const ctor = TYPED[`${obj.apiVersion}/${obj.kind}`];
  const name = kubeLogicalName(obj);
  if (ctor) {
    const { apiVersion: _a, kind: _k, ...rest } = obj;
    return new ctor(name, rest, opts);
  }
  return new k8s.apiextensions.CustomResource(name, obj, opts);
}

/** {@link declareKubeObject} over a list, in order. */
export function declareKubeObjects(objs: KubeObject[], opts: pulumi.CustomResourceOptions): pulumi.CustomResource[] {
  return objs.map((o) => declareKubeObject(o, opts));
}

/**
 * Builds plain objects with cdk8s / cdk8s-plus in a throwaway chart. Resource-name hashes are
 * off so names are exactly what the platform's vocabulary says (`cassandra`, `gateway`, ...).
 */
export function synthChart(namespace: string, build: (chart: Chart) => void): KubeObject[] {
  const app = new App({ outdir: "/tmp/cdk8s-unused" });
  const chart = new Chart(app, "chart", { namespace, disableResourceNameHashes: true });
  build(chart);
  return chart.toJson() as KubeObject[];
}
