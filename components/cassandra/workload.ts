import { ApiObject, Duration, JsonPatch, Size } from "cdk8s";
import * as kplus from "cdk8s-plus-28";
import type { Construct } from "constructs";
import { standardLabels, selectorLabels } from "../shared/labels";
import { hardenedPodSecurity } from "../shared/security";
import { kplusHardenedContainerSecurity, stripCdk8sPlusLabels } from "../shared/cdk8s-plus";
import { synthChart, type KubeObject } from "../shared/kube";
import type { JvmHeap } from "./heap";
import type { Rack } from "./racks";
import { JMX_PORT, REPLACE_CONFIG_MAP, REPLACE_DIR, TLS_DIR, configInitScript, startScript } from "./scripts";

/** Uid/gid of the `cassandra` user in the official image. */
export const CASSANDRA_UID = 999;
export const CQL_PORT = 9042;
export const INTRA_NODE_PORT = 7000;
/** Placeholder the component swaps for the (Output) seed list after synthesis. */
export const SEEDS_PLACEHOLDER = "__CASSANDRA_SEEDS__";
export const ZONE_LABEL = "topology.kubernetes.io/zone";
export const NAME = "cassandra";
export const COMPONENT = "database";

/** Everything the StatefulSets, Services and PDBs need, already validated. */
export interface CassandraWorkloadSpec {
  readonly namespace: string;
  readonly clusterName: string;
  readonly dataCenter: string;
  readonly racks: readonly Rack[];
  readonly image: string;
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  readonly heap: JvmHeap;
  readonly storageGiB: number;
  readonly storageClass: string;
  readonly headlessServiceName: string;
  readonly clientServiceName: string;
  readonly credentialsSecretName: string;
  readonly meshSidecar: boolean;
  /** Secret with `username`/`password` for remote JMX (nodetool of the rebuild Job). */
  readonly jmxSecretName: string;
  /** Secret with keystore.pem + ca.pem, and the cassandra.yaml encryption blocks; absent = plaintext. */
  readonly encryption?: { readonly secretName: string; readonly yaml: string };
  /** DNS zone external-dns publishes per-pod records in (`<pod>.<zone>`) for other regions; absent = none. */
  readonly seedDnsZone?: string;
}

/**
 * Seconds the startup probe allows before the storage port opens: 5 minutes plus 2 s per GiB of
 * data volume. A node restarting after a crash replays its commit log and opens every SSTable
 * before it listens; both grow with the data it holds, and a probe that gives up restarts the
 * replay from scratch (a crash loop).
 */
export function startupSeconds(storageGiB: number): number {
  return 300 + 2 * storageGiB;
}

/** Labels for the pods of one rack: selectors add `instance` so StatefulSets never overlap. */
export function rackSelector(rack: Rack): Record<string, string> {
  return { ...selectorLabels(NAME, COMPONENT), "app.kubernetes.io/instance": `${NAME}-${rack.suffix}` };
}

/**
 * Services, one StatefulSet per rack, and ONE PodDisruptionBudget over every Cassandra pod of
 * the data centre (maxUnavailable 1): a PDB per rack would let a drain evict one pod of every
 * rack at once, i.e. all replicas of a range, and LOCAL_QUORUM would fail. cdk8s-plus covers most of the pod
 * spec; JSON patches add what it lacks (the PVC mount, affinity) and its own
 * `cdk8s.io/metadata.addr` selector label is stripped so selectors are only ours.
 */
export function buildCassandraWorkload(spec: CassandraWorkloadSpec): KubeObject[] {
  const objs = synthChart(spec.namespace, (chart) => {
    const headless = new kplus.Service(chart, "headless", {
      metadata: {
        name: spec.headlessServiceName,
        labels: standardLabels(NAME, COMPONENT),
        // external-dns publishes `<pod hostname>.<zone>` → pod IP for every pod of a headless
        // Service: the names other regions use as seeds (the pods broadcast the same IP).
        ...(spec.seedDnsZone ? { annotations: { "external-dns.alpha.kubernetes.io/hostname": spec.seedDnsZone } } : {}),
      },
      clusterIP: "None",
      // Gossip needs peers' DNS records before they are ready (a joining node is not ready).
      publishNotReadyAddresses: true,
      ports: [
        { name: "tcp-intra", port: INTRA_NODE_PORT, targetPort: INTRA_NODE_PORT },
        { name: "tcp-cql", port: CQL_PORT, targetPort: CQL_PORT },
      ],
    });
    const client = new kplus.Service(chart, "client", {
      metadata: { name: spec.clientServiceName, labels: standardLabels(NAME, COMPONENT) },
      ports: [{ name: "tcp-cql", port: CQL_PORT, targetPort: CQL_PORT }],
    });
    for (const [k, v] of Object.entries(selectorLabels(NAME, COMPONENT))) {
      headless.selectLabel(k, v);
      client.selectLabel(k, v);
    }
    for (const rack of spec.racks) addRack(chart, spec, rack, headless);
    new ApiObject(chart, "pdb", {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: NAME, labels: standardLabels(NAME, COMPONENT) },
      spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(NAME, COMPONENT) } },
    });
  });
  return objs.map(stripCdk8sPlusLabels).map((o) => (o.kind === "StatefulSet" ? withDataClaim(o, spec) : o));
}

/**
 * Adds the data volumeClaimTemplate after synthesis: cdk8s-plus' StatefulSet has no claim
 * templates, and cdk8s' own value resolution drops the `storage` quantity from a JSON patch.
 */
function withDataClaim(sts: KubeObject, spec: CassandraWorkloadSpec): KubeObject {
  const claim = {
    metadata: { name: "data", labels: selectorLabels(NAME, COMPONENT) },
    spec: {
      accessModes: ["ReadWriteOnce"],
      storageClassName: spec.storageClass,
      resources: { requests: { storage: `${spec.storageGiB}Gi` } },
    },
  };
  // A node removed by a scale-down was decommissioned first (./scale-down.ts): its volume holds
  // nothing the ring needs, and Cassandra refuses to start on it again ("This node was
  // decommissioned"), so a later scale-up must get a fresh one. Deleting the StatefulSet keeps them.
  const persistentVolumeClaimRetentionPolicy = { whenScaled: "Delete", whenDeleted: "Retain" };
  return { ...sts, spec: { ...(sts.spec as object), volumeClaimTemplates: [claim], persistentVolumeClaimRetentionPolicy } };
}

function addRack(chart: Construct, spec: CassandraWorkloadSpec, rack: Rack, headless: kplus.Service): void {
  const name = `${NAME}-${rack.suffix}`;
  const labels = { ...standardLabels(NAME, COMPONENT), "app.kubernetes.io/instance": name };
  const pod = hardenedPodSecurity(CASSANDRA_UID);
  const jmxSecret = kplus.Secret.fromSecretName(chart, `${name}-jmx`, spec.jmxSecretName);
  const sts = new kplus.StatefulSet(chart, name, {
    metadata: { name, labels },
    service: headless,
    select: false,
    replicas: rack.replicas,
    // One pod at a time within a rack: two nodes bootstrapping at once is refused by Cassandra.
    podManagementPolicy: kplus.PodManagementPolicy.ORDERED_READY,
    podMetadata: {
      labels,
      annotations: { "sidecar.istio.io/inject": String(spec.meshSidecar) },
    },
    automountServiceAccountToken: false,
    // Cassandra drains (flushes memtables) in its shutdown hook; give it time.
    terminationGracePeriod: Duration.seconds(120),
    securityContext: {
      user: CASSANDRA_UID,
      group: CASSANDRA_UID,
      fsGroup: CASSANDRA_UID,
      ensureNonRoot: true,
      fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
    },
    initContainers: [
      {
        name: "config",
        image: spec.image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: ["sh", "-c", configInitScript({ extraYaml: spec.encryption?.yaml, jmxPasswordFile: true, replaceDir: REPLACE_DIR })],
        envVariables: {
          JMX_USERNAME: kplus.EnvValue.fromSecretValue({ secret: jmxSecret, key: "username" }),
          JMX_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: jmxSecret, key: "password" }),
        },
        resources: resources(100, 128),
        securityContext: kplusHardenedContainerSecurity(CASSANDRA_UID),
      },
    ],
    containers: [
      {
        name: NAME,
        image: spec.image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: ["sh", "-c", startScript(REPLACE_DIR)],
        ports: [
          { name: "tcp-intra", number: INTRA_NODE_PORT },
          { name: "tcp-cql", number: CQL_PORT },
          { name: "tcp-jmx", number: JMX_PORT },
        ],
        envVariables: {
          // Deliberate addresses: the pod IP is what other regions route to (VPC CNI pod IPs
          // over peering/Transit Gateway) and what the seed DNS records point at.
          CASSANDRA_BROADCAST_ADDRESS: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP),
          CASSANDRA_BROADCAST_RPC_ADDRESS: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP),
          CASSANDRA_CLUSTER_NAME: kplus.EnvValue.fromValue(spec.clusterName),
          CASSANDRA_DC: kplus.EnvValue.fromValue(spec.dataCenter),
          CASSANDRA_RACK: kplus.EnvValue.fromValue(rack.rack),
          CASSANDRA_ENDPOINT_SNITCH: kplus.EnvValue.fromValue("GossipingPropertyFileSnitch"),
          CASSANDRA_SEEDS: kplus.EnvValue.fromValue(SEEDS_PLACEHOLDER),
          MAX_HEAP_SIZE: kplus.EnvValue.fromValue(`${spec.heap.heapMiB}M`),
          HEAP_NEWSIZE: kplus.EnvValue.fromValue(`${spec.heap.newGenMiB}M`),
          MAX_DIRECT_MEMORY_SIZE: kplus.EnvValue.fromValue(`${spec.heap.directMiB}M`),
          // cassandra-env.sh always appends JVM_EXTRA_OPTS: the cap holds whatever else it derives.
          JVM_EXTRA_OPTS: kplus.EnvValue.fromValue(`-XX:MaxDirectMemorySize=${spec.heap.directMiB}M`),
          // Remote JMX (password file written by the init container) for the rebuild Job's nodetool.
          LOCAL_JMX: kplus.EnvValue.fromValue("no"),
        },
        resources: resources(spec.cpuMillis, spec.memoryMiB),
        securityContext: kplusHardenedContainerSecurity(CASSANDRA_UID),
        // The storage port opens before bootstrap streaming starts, CQL only once the node has
        // joined: so startup/liveness watch 7000 (a long bootstrap is never killed) and
        // readiness watches 9042. TCP, not nodetool: a second JVM per probe would eat the
        // memory limit.
        startup: kplus.Probe.fromTcpSocket({ port: INTRA_NODE_PORT, periodSeconds: Duration.seconds(10), failureThreshold: Math.ceil(startupSeconds(spec.storageGiB) / 10) }),
        liveness: kplus.Probe.fromTcpSocket({ port: INTRA_NODE_PORT, periodSeconds: Duration.seconds(15), failureThreshold: 6 }),
        readiness: kplus.Probe.fromTcpSocket({ port: CQL_PORT, periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
      },
    ],
  });
  sts.select(kplus.LabelSelector.of({ labels: rackSelector(rack) }));
  const [init] = sts.initContainers;
  const [main] = sts.containers;
  const config = kplus.Volume.fromEmptyDir(chart, `${name}-config`, "config");
  init.mount("/config", config);
  // Optional: present only while `npm run cassandra:replace-node` replaces a dead node.
  const replace = kplus.ConfigMap.fromConfigMapName(chart, `${name}-replace-cm`, REPLACE_CONFIG_MAP);
  const replaceVolume = kplus.Volume.fromConfigMap(chart, `${name}-replace`, replace, { name: "replace", optional: true });
  init.mount(REPLACE_DIR, replaceVolume, { readOnly: true });
  main.mount(REPLACE_DIR, replaceVolume, { readOnly: true });
  main.mount("/etc/cassandra", config);
  main.mount("/var/log/cassandra", kplus.Volume.fromEmptyDir(chart, `${name}-logs`, "logs"));
  main.mount("/tmp", kplus.Volume.fromEmptyDir(chart, `${name}-tmp`, "tmp"));
  if (spec.encryption) {
    const tlsSecret = kplus.Secret.fromSecretName(chart, `${name}-tls-secret`, spec.encryption.secretName);
    main.mount(TLS_DIR, kplus.Volume.fromSecret(chart, `${name}-tls`, tlsSecret, { name: "tls", defaultMode: 0o440 }), { readOnly: true });
  }
  const hostTerm = { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selectorLabels(NAME, COMPONENT) } };

  const obj = ApiObject.of(sts);
  obj.addJsonPatch(
    JsonPatch.add("/spec/template/spec/containers/0/volumeMounts/-", { name: "data", mountPath: "/var/lib/cassandra" }),
    // Two Cassandra nodes must never share a host (one host loss = two replicas). Without
    // zones (a local single-node cluster) it is only a preference so pods still schedule.
    JsonPatch.add("/spec/template/spec/affinity", {
      ...(rack.zone ? { nodeAffinity: zoneAffinity(rack.zone) } : {}),
      podAntiAffinity: rack.zone
        ? { requiredDuringSchedulingIgnoredDuringExecution: [hostTerm] }
        : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: hostTerm }] },
    }),
    JsonPatch.replace("/spec/template/spec/securityContext/seccompProfile", pod.seccompProfile),
  );
}

/** Pins a rack's pods to its zone: the rack name in Cassandra must match where pods run. */
function zoneAffinity(zone: string) {
  return {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_LABEL, operator: "In", values: [zone] }] }],
    },
  };
}

function resources(cpuMillis: number, memoryMiB: number): kplus.ContainerResources {
  return {
    cpu: { request: kplus.Cpu.millis(cpuMillis), limit: kplus.Cpu.millis(cpuMillis) },
    memory: { request: Size.mebibytes(memoryMiB), limit: Size.mebibytes(memoryMiB) },
  };
}
