import { describe, expect, it } from "vitest";
import { cassandraMemoryHeap } from "../../policies/rules/sizing/platform-cassandra-memory-heap";
import { cassandraReplicationFactor } from "../../policies/rules/sizing/platform-cassandra-replication-factor";
import { containerResources } from "../../policies/rules/sizing/platform-k8s-container-resources";
import { prodGatewayMinReplicas } from "../../policies/rules/sizing/platform-prod-gateway-min-replicas";
import { prodPodDisruptionBudget } from "../../policies/rules/sizing/platform-prod-pod-disruption-budget";
import { prodRedisHighAvailability } from "../../policies/rules/sizing/platform-prod-redis-high-availability";
import { prodSizingFloor } from "../../policies/rules/sizing/platform-prod-sizing-floor";
import { prodZoneSpread } from "../../policies/rules/sizing/platform-prod-zone-spread";
import { vercelFunctionLimits } from "../../policies/rules/sizing/platform-vercel-function-limits";
import { clone, goodStack, kube, messages, obj } from "./fixtures";

const base = goodStack();
const fresh = (stack?: string) => (stack ? goodStack(stack) : clone(base));
const main = (s: ReturnType<typeof fresh>, kind: string, name: string) => obj(s, kind, name).spec.template.spec.containers[0];
const without = (s: ReturnType<typeof fresh>, kind: string, name: string) => s.filter((r) => !(r.props.kind === kind && r.props.metadata.name === name));

describe("platform-k8s-container-resources", () => {
  it("passes when every container has requests and limits", () => {
    expect(messages(containerResources, fresh())).toEqual([]);
  });
  it("flags missing limits and a limit below its request", () => {
    const s = fresh();
    delete main(s, "Deployment", "gateway").resources.limits;
    main(s, "Deployment", "telemetry-query").resources.limits.cpu = "250m";
    expect(messages(containerResources, s)).toEqual([
      `Deployment platform/gateway: containers[0] "gateway" has no cpu limits. Fix: set resources.requests.cpu and resources.limits.cpu on containers[0] "gateway".`,
      `Deployment platform/gateway: containers[0] "gateway" has no memory limits. Fix: set resources.requests.memory and resources.limits.memory on containers[0] "gateway".`,
      `Deployment platform/telemetry-query: containers[0] "telemetry-query" cpu limit 250m is below its request 500m. Fix: raise the cpu limit to at least the request.`,
    ]);
  });
  it("checks init containers too", () => {
    const s = fresh();
    delete obj(s, "StatefulSet", "cassandra-a").spec.template.spec.initContainers[0].resources;
    expect(messages(containerResources, s)).toEqual([
      `StatefulSet platform/cassandra-a: initContainers[0] "config" has no cpu requests and limits. Fix: set resources.requests.cpu and resources.limits.cpu on initContainers[0] "config".`,
      `StatefulSet platform/cassandra-a: initContainers[0] "config" has no memory requests and limits. Fix: set resources.requests.memory and resources.limits.memory on initContainers[0] "config".`,
    ]);
  });
});

describe("platform-cassandra-memory-heap", () => {
  it("passes a 16 GiB heap in a 32 GiB guaranteed container", () => {
    expect(messages(cassandraMemoryHeap, fresh())).toEqual([]);
  });
  it("flags request ≠ limit and a heap above half the limit", () => {
    const s = fresh();
    const c = obj(s, "StatefulSet", "cassandra-b").spec.template.spec.containers[0];
    c.resources.requests.memory = "16Gi";
    c.env.find((e: any) => e.name === "MAX_HEAP_SIZE").value = "20G";
    expect(messages(cassandraMemoryHeap, s)).toEqual([
      `StatefulSet platform/cassandra-b: containers[0] "cassandra" memory request 16Gi differs from its limit 32768Mi. Fix: set requests.memory equal to limits.memory (the JVM sizes itself once; the kernel must not reclaim it).`,
      `StatefulSet platform/cassandra-b: containers[0] "cassandra" MAX_HEAP_SIZE 20G exceeds half of the memory limit 32768Mi. Fix: lower MAX_HEAP_SIZE to at most 16384M or raise the memory limit.`,
    ]);
  });
  it("flags a heap above 31 GiB and a missing heap", () => {
    const s = fresh();
    const c = obj(s, "StatefulSet", "cassandra-a").spec.template.spec.containers[0];
    c.resources = { requests: { cpu: "8", memory: "96Gi" }, limits: { cpu: "8", memory: "96Gi" } };
    c.env.find((e: any) => e.name === "MAX_HEAP_SIZE").value = "32768M";
    const d = obj(s, "StatefulSet", "cassandra-c").spec.template.spec.containers[0];
    d.env = d.env.filter((e: any) => e.name !== "MAX_HEAP_SIZE");
    expect(messages(cassandraMemoryHeap, s)).toEqual([
      `StatefulSet platform/cassandra-a: containers[0] "cassandra" MAX_HEAP_SIZE 32768M exceeds 31 GiB. Fix: cap MAX_HEAP_SIZE at 31744M (compressed oops).`,
      `StatefulSet platform/cassandra-c: containers[0] "cassandra" has no MAX_HEAP_SIZE. Fix: set MAX_HEAP_SIZE (e.g. "16384M") so the heap does not follow the host's RAM.`,
    ]);
  });
});

describe("platform-cassandra-memory-heap: direct memory", () => {
  it("flags a missing MAX_DIRECT_MEMORY_SIZE (the JVM would allow as much direct memory as heap)", () => {
    const s = fresh();
    const c = obj(s, "StatefulSet", "cassandra-a").spec.template.spec.containers[0];
    c.env = c.env.filter((e: any) => e.name !== "MAX_DIRECT_MEMORY_SIZE");
    expect(messages(cassandraMemoryHeap, s)).toEqual([
      `StatefulSet platform/cassandra-a: containers[0] "cassandra" has no MAX_DIRECT_MEMORY_SIZE. Fix: set MAX_DIRECT_MEMORY_SIZE (e.g. a quarter of the limit) so direct memory does not follow the heap or the host.`,
    ]);
  });
  it("flags heap + direct + headroom above the limit", () => {
    const s = fresh();
    obj(s, "StatefulSet", "cassandra-b").spec.template.spec.containers[0].env.find((e: any) => e.name === "MAX_DIRECT_MEMORY_SIZE").value = "14G";
    // 16384 + 14336 + max(256, 3277) = 33997 > 32768
    expect(messages(cassandraMemoryHeap, s)).toEqual([
      `StatefulSet platform/cassandra-b: containers[0] "cassandra" heap 16384M + direct 14G + headroom 3277M exceed the memory limit 32768Mi. Fix: lower MAX_DIRECT_MEMORY_SIZE to at most 13107M, or lower the heap, or raise the limit.`,
    ]);
  });
});

describe("platform-prod-sizing-floor", () => {
  it("passes the prod fixture and ignores non-prod stacks", () => {
    expect(messages(prodSizingFloor, fresh())).toEqual([]);
    const dev = fresh("dev-us-east-1");
    obj(dev, "StatefulSet", "cassandra-a").spec.template.spec.containers[0].resources = { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "500m", memory: "1Gi" } };
    expect(messages(prodSizingFloor, dev)).toEqual([]);
  });
  it("flags a prod Cassandra node with 1 GiB, half a core and a small volume, a DC below 3 nodes, a single-replica Deployment", () => {
    const s = without(without(fresh(), "StatefulSet", "cassandra-b"), "StatefulSet", "cassandra-c");
    const sts = obj(s, "StatefulSet", "cassandra-a");
    sts.spec.template.spec.containers[0].resources = { requests: { cpu: "500m", memory: "1024Mi" }, limits: { cpu: "500m", memory: "1024Mi" } };
    sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage = "50Gi";
    obj(s, "Deployment", "telemetry-query").spec.replicas = 1;
    expect(messages(prodSizingFloor, s)).toEqual([
      `StatefulSet platform/cassandra-a: containers[0] "cassandra" memory limit 1024Mi is below the prod floor 16Gi. Fix: set cassandra.memoryMiB to at least 16384.`,
      `StatefulSet platform/cassandra-a: containers[0] "cassandra" CPU limit 500m is below the prod floor 4 cores. Fix: set cassandra.cpuMillis to at least 4000.`,
      `StatefulSet platform/cassandra-a: StatefulSet data volume 50Gi is below the prod floor 200Gi. Fix: set cassandra.storageGiB to at least 200.`,
      `StatefulSet platform/cassandra-a: Data centre us-east-1 runs 1 Cassandra node(s); the prod floor is 3. Fix: set cassandra.nodesPerDc to at least 3.`,
      `Deployment platform/telemetry-query: Deployment telemetry-query runs 1 replica(s) in prod; the floor is 2. Fix: raise its replicas (or HPA minReplicas) to at least 2.`,
    ]);
  });
});

describe("platform-cassandra-replication-factor", () => {
  it("passes RF 3 in every data centre with 3 nodes locally", () => {
    expect(messages(cassandraReplicationFactor, fresh())).toEqual([]);
  });
  it("flags RF < 3 for a prod data centre", () => {
    const s = fresh();
    const cm = obj(s, "ConfigMap", "cassandra-schema");
    cm.data["schema.cql"] = cm.data["schema.cql"].replace("'eu-west-1': 3", "'eu-west-1': 2");
    expect(messages(cassandraReplicationFactor, s)).toEqual([
      `ConfigMap platform/cassandra-schema: Keyspace telemetry has replication factor 2 in data centre eu-west-1; prod needs at least 3. Fix: set 'eu-west-1': 3 (or more) in telemetry's replication.`,
    ]);
  });
  it("flags fewer local nodes than the factor (any stage) and SimpleStrategy in prod", () => {
    const s = without(fresh(), "StatefulSet", "cassandra-c");
    s.push(kube("prod-us-east-1", "ConfigMap", "auth", { data: { "auth.cql": "ALTER KEYSPACE system_auth WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};" } }));
    expect(messages(cassandraReplicationFactor, s)).toEqual([
      `ConfigMap platform/cassandra-schema: Keyspace telemetry wants 3 replicas in data centre us-east-1, which runs only 2 node(s). Fix: run at least 3 nodes in us-east-1 or lower the factor.`,
      `ConfigMap platform/auth: Keyspace system_auth uses SimpleStrategy; prod needs NetworkTopologyStrategy. Fix: replicate system_auth with {'class': 'NetworkTopologyStrategy', '<dc>': 3, ...}.`,
    ]);
  });
  it("flags a keyspace without replicas in the local data centre, also outside prod", () => {
    const s = fresh("dev-us-east-1");
    const cm = obj(s, "ConfigMap", "cassandra-schema");
    cm.data["schema.cql"] = cm.data["schema.cql"].replace("'us-east-1': 3, ", "");
    expect(messages(cassandraReplicationFactor, s)).toEqual([
      `ConfigMap platform/cassandra-schema: Keyspace telemetry has no replicas in this stack's data centre us-east-1. Fix: add 'us-east-1': <rf> to telemetry's replication.`,
    ]);
  });
});

describe("platform-prod-zone-spread", () => {
  it("passes zone-pinned racks over 3 zones and DoNotSchedule spread with 3 replicas; ignores non-prod", () => {
    expect(messages(prodZoneSpread, fresh())).toEqual([]);
    const s = fresh("staging-us-east-1");
    delete obj(s, "Deployment", "gateway").spec.template.spec.topologySpreadConstraints;
    expect(messages(prodZoneSpread, s)).toEqual([]);
  });
  it("flags a preferred-only spread and too few replicas", () => {
    const s = fresh();
    obj(s, "Deployment", "gateway").spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable = "ScheduleAnyway";
    obj(s, "Deployment", "telemetry-query").spec.replicas = 2;
    expect(messages(prodZoneSpread, s)).toEqual([
      `Deployment platform/gateway: gateway/gateway has only a preferred (ScheduleAnyway) spread over topology.kubernetes.io/zone; its pods may all land in one zone. Fix: add topologySpreadConstraints { topologyKey: topology.kubernetes.io/zone, maxSkew: 1, whenUnsatisfiable: DoNotSchedule }.`,
      `Deployment platform/telemetry-query: telemetry-query/query runs 2 pod(s) in prod; 3 zones need at least 3. Fix: run at least 3 replicas (HPA minReplicas for autoscaled workloads).`,
    ]);
  });
  it("flags racks pinned to fewer than 3 zones", () => {
    const s = fresh();
    const c = obj(s, "StatefulSet", "cassandra-c");
    c.spec.replicas = 1;
    c.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values = ["us-east-1a"];
    expect(messages(prodZoneSpread, s)).toEqual([
      `StatefulSet platform/cassandra-a: cassandra/database is pinned to 2 zone(s) (us-east-1a, us-east-1b); prod needs 3. Fix: pin one rack per zone over at least 3 zones.`,
    ]);
  });
});

describe("platform-prod-pod-disruption-budget", () => {
  it("passes when every StatefulSet and multi-replica Deployment has a budget", () => {
    expect(messages(prodPodDisruptionBudget, fresh())).toEqual([]);
  });
  it("flags an uncovered StatefulSet and an HPA-scaled Deployment without budget", () => {
    const s = without(without(fresh(), "PodDisruptionBudget", "cassandra"), "PodDisruptionBudget", "gateway");
    s.push(kube("prod-us-east-1", "PodDisruptionBudget", "cassandra-a", { spec: { maxUnavailable: 1, selector: { matchLabels: { "platform.example.com/rack": "us-east-1a" } } } }));
    s.push(kube("prod-us-east-1", "PodDisruptionBudget", "cassandra-c", { spec: { maxUnavailable: 1, selector: { matchLabels: { "platform.example.com/rack": "us-east-1c" } } } }));
    expect(messages(prodPodDisruptionBudget, s)).toEqual([
      `StatefulSet platform/cassandra-b: No PodDisruptionBudget selects the pods of this StatefulSet (1 replica(s)). Fix: declare a PodDisruptionBudget with maxUnavailable: 1 and selector.matchLabels {"app.kubernetes.io/name":"cassandra","app.kubernetes.io/component":"database","platform.example.com/rack":"us-east-1b"}.`,
      `Deployment platform/gateway: No PodDisruptionBudget selects the pods of this Deployment (3 replica(s)). Fix: declare a PodDisruptionBudget with maxUnavailable: 1 and selector.matchLabels {"app.kubernetes.io/name":"gateway","app.kubernetes.io/component":"gateway"}.`,
      // Per-rack budgets (the old shape): a drain could take a and c (and b) at once.
      `StatefulSet platform/cassandra-a: No single PodDisruptionBudget spans the Cassandra racks cassandra-a, cassandra-b, cassandra-c: a drain may evict one pod of each at once and lose LOCAL_QUORUM. Fix: declare one PodDisruptionBudget (maxUnavailable: 1) whose selector matches every Cassandra pod of the data centre, instead of one per rack.`,
    ]);
  });
  it("flags pods under two budgets (the eviction API refuses them)", () => {
    const s = fresh();
    s.push(kube("prod-us-east-1", "PodDisruptionBudget", "cassandra-a", { spec: { maxUnavailable: 1, selector: { matchLabels: { "platform.example.com/rack": "us-east-1a" } } } }));
    expect(messages(prodPodDisruptionBudget, s)).toEqual([
      `StatefulSet platform/cassandra-a: 2 PodDisruptionBudgets (cassandra, cassandra-a) select the pods of this StatefulSet. Fix: keep exactly one budget per pod.`,
    ]);
  });
  it("does not require a budget for a single-replica Deployment", () => {
    const s = without(fresh(), "PodDisruptionBudget", "telemetry-query");
    obj(s, "Deployment", "telemetry-query").spec.replicas = 1;
    expect(messages(prodPodDisruptionBudget, s)).toEqual([]);
  });
});

describe("platform-prod-gateway-min-replicas", () => {
  it("passes minReplicas 3 in prod, and any value outside prod", () => {
    expect(messages(prodGatewayMinReplicas, fresh())).toEqual([]);
    const s = fresh("dev-us-east-1");
    obj(s, "HorizontalPodAutoscaler", "gateway").spec.minReplicas = 1;
    expect(messages(prodGatewayMinReplicas, s)).toEqual([]);
  });
  it("flags minReplicas below 3 and a missing HPA", () => {
    const s = fresh();
    obj(s, "HorizontalPodAutoscaler", "gateway").spec.minReplicas = 2;
    expect(messages(prodGatewayMinReplicas, s)).toEqual([
      `HorizontalPodAutoscaler platform/gateway: The gateway HPA has minReplicas 2; prod needs at least 3. Fix: set spec.minReplicas to 3 or more.`,
    ]);
    expect(messages(prodGatewayMinReplicas, without(fresh(), "HorizontalPodAutoscaler", "gateway"))).toEqual([
      `Deployment platform/gateway: The gateway has no HorizontalPodAutoscaler in prod. Fix: declare an HPA targeting Deployment gateway with minReplicas ≥ 3.`,
    ]);
  });
});

describe("platform-prod-redis-high-availability", () => {
  const rg = (s: ReturnType<typeof fresh>) => s.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!.props;
  it("passes a multi-AZ replication group with failover; ignores dev", () => {
    expect(messages(prodRedisHighAvailability, fresh())).toEqual([]);
    const s = fresh("dev-us-east-1");
    Object.assign(rg(s), { multiAzEnabled: false, automaticFailoverEnabled: false, numCacheClusters: 1 });
    expect(messages(prodRedisHighAvailability, s)).toEqual([]);
  });
  it("flags single-AZ, no failover, one node in prod", () => {
    const s = fresh();
    Object.assign(rg(s), { multiAzEnabled: false, numCacheClusters: 1 });
    delete rg(s).automaticFailoverEnabled;
    expect(messages(prodRedisHighAvailability, s)).toEqual([
      `aws:elasticache/replicationGroup:ReplicationGroup redis: ElastiCache replication group redis is not highly available in prod: multiAzEnabled is false, automaticFailoverEnabled is unset, only 1 node(s). Fix: set multiAzEnabled: true, automaticFailoverEnabled: true and numCacheClusters ≥ 2.`,
    ]);
  });
});

describe("platform-vercel-function-limits", () => {
  const project = (s: ReturnType<typeof fresh>) => s.find((r) => r.type === "vercel:index/project:Project")!.props;
  it("passes 30 s on any plan and 800 s on pro", () => {
    expect(messages(vercelFunctionLimits, fresh(), { vercelPlan: "hobby" })).toEqual([]);
    const s = fresh();
    project(s).resourceConfig.functionDefaultTimeout = 800;
    expect(messages(vercelFunctionLimits, s, { vercelPlan: "pro" })).toEqual([]);
  });
  it("flags a timeout and CPU type beyond the hobby plan", () => {
    const s = fresh();
    Object.assign(project(s).resourceConfig, { functionDefaultTimeout: 600, functionDefaultCpuType: "performance" });
    expect(messages(vercelFunctionLimits, s, { vercelPlan: "hobby" })).toEqual([
      `vercel:index/project:Project project: Function timeout 600 s exceeds the hobby plan's 300 s. Fix: set resourceConfig.functionDefaultTimeout ≤ 300.`,
      `vercel:index/project:Project project: Function CPU type "performance" (4096 MB) exceeds the hobby plan's 2048 MB. Fix: use a CPU type within 2048 MB (standard = 2048 MB).`,
    ]);
  });
});
