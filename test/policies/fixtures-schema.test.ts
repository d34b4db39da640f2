/** The hand-made fixtures must be valid Kubernetes/Istio objects, or the policy tests prove little. */
import { describe, expect, it } from "vitest";
import { ConfigMap, Namespace, Secret, Service } from "kubernetes-models/v1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Job } from "kubernetes-models/batch/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { DestinationRule, Gateway, ServiceEntry, VirtualService } from "@kubernetes-models/istio/networking.istio.io/v1";
import { PeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1";
import { goodStack } from "./fixtures";

const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  Namespace, ConfigMap, Secret, Service, Deployment, StatefulSet, Job, PodDisruptionBudget, HorizontalPodAutoscaler,
  VirtualService, DestinationRule, Gateway, ServiceEntry, PeerAuthentication,
};

describe("fixtures", () => {
  it("validate against the Kubernetes and Istio schemas", () => {
    const kube = goodStack().filter((r) => r.type.startsWith("kubernetes:"));
    expect(kube.length).toBeGreaterThan(20);
    for (const r of kube) {
      const Model = MODELS[r.props.kind];
      expect(Model, r.props.kind).toBeDefined();
      // stringData is masked by the synth ("[secret]"); the schema wants a map, so validate a stand-in
      const props = r.props.kind === "Secret" ? { ...r.props, stringData: { password: "x" } } : r.props;
      expect(() => new Model(props).validate(), `${r.props.kind} ${r.props.metadata.name}`).not.toThrow();
    }
  });
});
