import { StatefulSet } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { ConfigMap, Secret, Service } from "kubernetes-models/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import type { SynthResource } from "../../../scripts/synth/mocks";

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  "kubernetes:apps/v1:StatefulSet": StatefulSet,
  "kubernetes:batch/v1:Job": Job,
  "kubernetes:core/v1:ConfigMap": ConfigMap,
  "kubernetes:core/v1:Secret": Secret,
  "kubernetes:core/v1:Service": Service,
  "kubernetes:policy/v1:PodDisruptionBudget": PodDisruptionBudget,
};

/**
 * Validates every recorded Kubernetes object against its schema (throws on the first invalid
 * one) and returns how many were checked. Masked secret maps are swapped for placeholders,
 * since "[secret]" stands for an object of strings.
 */
export function validateRecorded(recorded: SynthResource[]): number {
  const kube = recorded.filter((r) => r.type.startsWith("kubernetes:"));
  for (const r of kube) {
    const Model = MODELS[r.type];
    if (!Model) throw new Error(`no schema model for ${r.type}`);
    const data: any = structuredClone(r.inputs);
    if (r.type === "kubernetes:core/v1:Secret") {
      for (const k of ["stringData", "data"] as const) {
        if (data[k] === "[secret]") data[k] = { masked: "x" };
        else if (data[k]) data[k] = Object.fromEntries(Object.keys(data[k]).map((key) => [key, "x"]));
      }
    }
    try {
      new Model(data).validate();
    } catch (err) {
      throw new Error(`${r.type} ${r.name} is invalid: ${(err as Error).message}`);
    }
  }
  return kube.length;
}
