/**
 * The objects that make the local API server look like a stage's cluster: kwok fake nodes over
 * three zones shaped like the stage's node group (stacks/config/tiers.ts NODE_GROUPS), and the
 * StorageClasses the stacks name, provisioned by kwok's volume stages.
 */
import { NODE_GROUPS, type Stage } from "../../stacks/config";

/** Storage classes the stacks use (tiers: local `standard`, cloud `gp3`, prod `gp3-encrypted`). */
export const STORAGE_CLASSES = ["standard", "gp3", "gp3-encrypted"] as const;
/** The provisioner kwok's volume stages answer for. */
export const KWOK_PROVISIONER = "kwok.x-k8s.io/volume";

export interface FakeNodeSet {
  readonly stage: Stage;
  readonly region: string;
  readonly zones: readonly string[];
  readonly objects: Record<string, unknown>[];
}

/** Three zones named like the stacks derive them (`<region>a`, b, c; `local-a`... for local). */
export function zonesFor(region: string): string[] {
  return ["a", "b", "c"].map((z) => (region === "local" ? `local-${z}` : `${region}${z}`));
}

export function fakeNodes(stage: Stage, region: string): FakeNodeSet {
  const shape = NODE_GROUPS[stage];
  const zones = zonesFor(region);
  const resources = { cpu: `${shape.cpuMillis}m`, memory: `${shape.memoryMiB}Mi`, pods: String(shape.pods) };
  const objects: Record<string, unknown>[] = [];
  for (const zone of zones) {
    for (let i = 0; i < shape.nodesPerZone; i++) {
      const name = `${zone}-${i}`;
      objects.push({
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          // kwok manages only nodes carrying this annotation (it runs with a selector on it).
          annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
          labels: {
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "node.kubernetes.io/instance-type": shape.instanceType,
            "topology.kubernetes.io/region": region,
            "topology.kubernetes.io/zone": zone,
            type: "kwok",
          },
        },
        spec: {},
        status: { allocatable: resources, capacity: resources },
      });
    }
  }
  for (const sc of STORAGE_CLASSES) {
    objects.push({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: sc },
      provisioner: KWOK_PROVISIONER,
      volumeBindingMode: "Immediate",
      allowVolumeExpansion: true,
    });
  }
  return { stage, region, zones, objects };
}
