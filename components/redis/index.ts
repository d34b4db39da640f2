import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { declareKubeObject, declareKubeObjects } from "../shared/kube";
import { PLATFORM_NAMESPACE, standardLabels } from "../shared/labels";
import { ArgErrors, isPositiveInt } from "../shared/validate";
import { parameterGroupFamily, type RedisEngine } from "./engine";
import { COMPONENT, NAME, REDIS_PORT, buildInClusterRedis } from "./in-cluster";

export { maxMemoryMiB, parameterGroupFamily, type RedisEngine } from "./engine";

export interface RedisArgs {
  /** `in-cluster` (a StatefulSet; local stage) or `elasticache` (AWS replication group). */
  readonly mode: "in-cluster" | "elasticache";
  /** Namespace of the `redis-auth` Secret (and of the in-cluster objects). @default "platform" */
  readonly namespace?: string;
  /** Cache nodes, primary + replicas (in-cluster: exactly 1). @default 1 */
  readonly nodes?: number;
  /** ElastiCache node type. @default "cache.t4g.small" */
  readonly nodeType?: string;
  /** ElastiCache: spread nodes over availability zones (needs automatic failover). @default false */
  readonly multiAz?: boolean;
  /** ElastiCache: promote a replica when the primary fails (needs nodes >= 2). @default - same as multiAz */
  readonly automaticFailover?: boolean;
  /** ElastiCache engine. @default "redis" */
  readonly engine?: RedisEngine;
  /** ElastiCache engine version; picks the parameter group family. @default "7.1" */
  readonly engineVersion?: string;
  /** ElastiCache: days of automatic snapshots (0 = none; it is a cache). @default 0 */
  readonly snapshotRetentionDays?: number;
  /**
   * ElastiCache: apply modifications (node type, engine version, parameter group) at once instead
   * of in the next maintenance window. AWS's default is the window, which a preview cannot show.
   * @default false
   */
  readonly applyImmediately?: boolean;
  /** ElastiCache: private subnets of the subnet group (required for elasticache). */
  readonly subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** ElastiCache: security groups allowed to reach the cache (required for elasticache). */
  readonly securityGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** In-cluster: memory request = limit in MiB (maxmemory = 75% of it). @default 256 */
  readonly memoryMiB?: number;
  /** In-cluster: CPU request = limit in millicores. @default 250 */
  readonly cpuMillis?: number;
  /** In-cluster image. @default "redis:7.4-alpine" */
  readonly image?: string;
}

const SECRET_NAME = "redis-auth";
const SECRET_KEY = "password";

/**
 * The gateway's L2 cache. Either mode yields the same outputs, so consumers never branch:
 * host, port, tls and where the password lives (Secret `redis-auth`, key `password`).
 */
export class Redis extends pulumi.ComponentResource {
  /** Primary endpoint host. */
  public readonly host: pulumi.Output<string>;
  /** Port. */
  public readonly port: pulumi.Output<number>;
  /** Whether clients must use TLS. */
  public readonly tls: pulumi.Output<boolean>;
  /** Kubernetes Secret holding the password / auth token. */
  public readonly passwordSecretName: pulumi.Output<string>;
  /** Key of the password in that Secret. */
  public readonly passwordSecretKey: string = SECRET_KEY;
  /** ElastiCache replication group id (absent in-cluster). */
  public readonly replicationGroupId?: pulumi.Output<string>;
  /** ElastiCache member cluster ids, one per node, for per-node CloudWatch alarms (empty in-cluster). */
  public readonly memberClusterIds: pulumi.Output<string[]>;

  private readonly namespace: string;

  constructor(name: string, args: RedisArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:data:Redis", name, {}, opts);
    validate(args);
    this.namespace = args.namespace ?? PLATFORM_NAMESPACE;

    const password = this.createPassword(name, args.mode);
    const secret = this.createPasswordSecret(password);
    if (args.mode === "elasticache") {
      const group = this.createElastiCache(name, args, password);
      this.host = group.primaryEndpointAddress;
      this.port = pulumi.output(REDIS_PORT);
      this.tls = pulumi.output(true);
      this.replicationGroupId = group.id;
      const derived = derivedMemberClusterIds(group.id, args.nodes ?? 1);
      // The provider's list once known (sorted: ids in node order), else the naming rule.
      this.memberClusterIds = pulumi
        .all([group.memberClusters, derived])
        .apply(([actual, fallback]) => (actual && actual.length > 0 ? [...actual].sort() : fallback));
    } else {
      this.createInCluster(args, secret);
      this.host = pulumi.output(`${NAME}.${this.namespace}.svc.cluster.local`);
      this.port = pulumi.output(REDIS_PORT);
      this.tls = pulumi.output(false);
      this.memberClusterIds = pulumi.output([]);
    }
    // From the Secret itself, so consumers of the name also wait for the Secret.
    this.passwordSecretName = (secret as k8s.core.v1.Secret).metadata.name;
    this.registerOutputs({
      host: this.host,
      port: this.port,
      tls: this.tls,
      passwordSecretName: this.passwordSecretName,
      passwordSecretKey: this.passwordSecretKey,
      replicationGroupId: this.replicationGroupId,
      memberClusterIds: this.memberClusterIds,
    });
  }

  /** Alphanumeric only: ElastiCache tokens forbid `@`, `"` and `/`, and URLs stay simple. */
  private createPassword(name: string, mode: RedisArgs["mode"]): pulumi.Output<string> {
    const length = mode === "elasticache" ? 64 : 32; // ElastiCache accepts 16-128 characters
    return new random.RandomPassword(`${name}-auth`, { length, special: false }, { parent: this }).result;
  }

  private createPasswordSecret(password: pulumi.Output<string>): pulumi.CustomResource {
    return declareKubeObject(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: SECRET_NAME, namespace: this.namespace, labels: standardLabels(NAME, COMPONENT) },
        type: "Opaque",
        stringData: { [SECRET_KEY]: pulumi.secret(password) },
      },
      { parent: this },
    );
  }

  private createElastiCache(name: string, args: RedisArgs, password: pulumi.Output<string>): aws.elasticache.ReplicationGroup {
    const engine = args.engine ?? "redis";
    const engineVersion = args.engineVersion ?? "7.1";
    const nodes = args.nodes ?? 1;
    const multiAz = args.multiAz ?? false;
    const subnets = new aws.elasticache.SubnetGroup(
      name,
      { description: "Private subnets of the gateway cache", subnetIds: args.subnetIds! },
      { parent: this },
    );
    const params = new aws.elasticache.ParameterGroup(
      name,
      {
        family: parameterGroupFamily(engine, engineVersion),
        description: "Gateway cache: evict any key by LRU when full",
        parameters: [{ name: "maxmemory-policy", value: "allkeys-lru" }],
      },
      { parent: this },
    );
    return new aws.elasticache.ReplicationGroup(
      name,
      {
        description: "Gateway L2 cache",
        engine,
        engineVersion,
        nodeType: args.nodeType ?? "cache.t4g.small",
        numCacheClusters: nodes,
        port: REDIS_PORT,
        parameterGroupName: params.name,
        subnetGroupName: subnets.name,
        securityGroupIds: args.securityGroupIds,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        transitEncryptionMode: "required",
        authToken: pulumi.secret(password),
        multiAzEnabled: multiAz,
        automaticFailoverEnabled: args.automaticFailover ?? multiAz,
        snapshotRetentionLimit: args.snapshotRetentionDays ?? 0,
        autoMinorVersionUpgrade: true,
        applyImmediately: args.applyImmediately ?? false,
      },
      // A new auth token must not surface in the engine's diff output either.
      { parent: this, additionalSecretOutputs: ["authToken"] },
    );
  }

  private createInCluster(args: RedisArgs, secret: pulumi.CustomResource): void {
    const objects = buildInClusterRedis({
      namespace: this.namespace,
      image: args.image ?? "redis:7.4-alpine",
      memoryMiB: args.memoryMiB ?? 256,
      cpuMillis: args.cpuMillis ?? 250,
      secretName: SECRET_NAME,
      passwordKey: SECRET_KEY,
    });
    declareKubeObjects(objects, { parent: this, dependsOn: [secret] });
  }
}

/**
 * ElastiCache names the members of a non-clustered replication group `<group id>-001`,
 * `-002`, ... in creation order; the count is `numCacheClusters`.
 */
export function derivedMemberClusterIds(groupId: pulumi.Input<string>, nodes: number): pulumi.Output<string[]> {
  return pulumi.output(groupId).apply((id) => Array.from({ length: nodes }, (_, i) => `${id}-${String(i + 1).padStart(3, "0")}`));
}

/** Every problem with the args at once, each naming the argument and the value. */
function validate(args: RedisArgs): void {
  const e = new ArgErrors("Redis");
  e.check(args.mode === "in-cluster" || args.mode === "elasticache", "mode", `must be "in-cluster" or "elasticache", got "${args.mode}"`);
  const nodes = args.nodes ?? 1;
  e.check(isPositiveInt(nodes) && nodes <= 6, "nodes", `must be an integer in 1..6 (primary + up to 5 replicas), got ${nodes}`);
  const multiAz = args.multiAz ?? false;
  const failover = args.automaticFailover ?? multiAz;
  if (args.mode === "elasticache") {
    e.check(args.subnetIds !== undefined, "subnetIds", "required for elasticache");
    e.check(args.securityGroupIds !== undefined, "securityGroupIds", "required for elasticache");
    e.check(!failover || nodes >= 2, "automaticFailover", `needs nodes >= 2 (a replica to promote), got nodes = ${nodes}`);
    e.check(!multiAz || failover, "multiAz", "needs automaticFailover (ElastiCache rejects Multi-AZ without it)");
    e.check(/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(args.nodeType ?? "cache.t4g.small"), "nodeType", `must look like cache.<family>.<size>, got "${args.nodeType}"`);
    try {
      parameterGroupFamily(args.engine ?? "redis", args.engineVersion ?? "7.1");
    } catch (err) {
      e.check(false, "engineVersion", (err as Error).message);
    }
    const days = args.snapshotRetentionDays ?? 0;
    e.check(Number.isInteger(days) && days >= 0 && days <= 35, "snapshotRetentionDays", `must be an integer in 0..35, got ${days}`);
  } else if (args.mode === "in-cluster") {
    // One pod: replicas would need replication config; the local stage does not need HA.
    e.check(nodes === 1, "nodes", `in-cluster runs exactly 1 node, got ${nodes}`);
    e.check(!multiAz && !failover, "multiAz", "multiAz/automaticFailover are ElastiCache-only");
    const mem = args.memoryMiB ?? 256;
    e.check(isPositiveInt(mem) && mem >= 64, "memoryMiB", `must be an integer >= 64, got ${mem}`);
    const cpu = args.cpuMillis ?? 250;
    e.check(isPositiveInt(cpu), "cpuMillis", `must be a positive integer, got ${cpu}`);
  }
  e.throwIfAny();
}
