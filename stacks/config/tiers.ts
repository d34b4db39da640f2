/**
 * Stage defaults (sizing tiers): the ONE place where local/dev/staging/prod differ. A stack
 * file only overrides what is specific to it. Every value here is validated by the same schema
 * as the stack files (./schema.ts), so a bad default fails the tests, not a deploy.
 */
import type { DeepPartial, PlatformSettings, Stage } from "./schema";

export const STAGES = ["local", "dev", "staging", "prod"] as const;

/** Regions that form the one prod Cassandra cluster (one data centre each). */
export const PROD_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"] as const;

/** Vercel function region nearest to each AWS region's data centre. */
export const VERCEL_REGION_NEAR: Readonly<Record<string, string>> = {
  "us-east-1": "iad1",
  "us-east-2": "cle1",
  "us-west-1": "sfo1",
  "us-west-2": "pdx1",
  "eu-west-1": "dub1",
  "eu-west-2": "lhr1",
  "eu-central-1": "fra1",
  "ap-southeast-1": "sin1",
  "ap-northeast-1": "hnd1",
  "ap-south-1": "bom1",
};

const GiB = 1024;

/** Settings every stage shares before its tier applies. */
export const BASE_DEFAULTS: DeepPartial<PlatformSettings> = {
  org: "organization",
  namespace: "platform",
  cassandra: {
    version: "5.0.9", // the version scripts/cassandra.sh runs in the tests
    clusterName: "telemetry",
    keyspace: "telemetry",
    storageClass: "gp3",
    defaultTtlDays: 30,
    peerRegions: [],
    extraSeeds: [],
    removeDataCenters: [],
    // Every real cluster encrypts; local stays plaintext (its stack is applied by the real engine
    // in tests where only the kubernetes provider plugin exists, and TLS needs @pulumi/tls).
    encryption: true,
    // The functions' path to CQL; each cloud stack lists its functions' egress ranges.
    publicEndpoint: { enabled: false, sourceRanges: [] },
  },
  // Backups: medusa's pinned version (scripts/medusa.sh runs the same one in the drill). Retention
  // is medusa's purge (it knows which SSTables later differential backups still share), so the
  // bucket lifecycle only expires noncurrent versions, never live objects.
  backup: {
    enabled: true,
    mode: "differential",
    noncurrentRetentionDays: 7,
    // Weekly primary-range repair (CassandraRepairOverdue after 8 days): inside the default 10-day gc_grace_seconds.
    repairSchedule: "0 1 * * 0",
    kubectlImage: "registry.k8s.io/kubectl:v1.35.4",
  },
  // No JWT issuer/audience here: a cloud stack must name its real identity provider (see load.ts).
  gateway: { targetCpuPercent: 70, publicHost: "api.telemetry.example.com", tlsSecretName: "gateway-tls", jwt: { algorithm: "RS256" } },
  telemetry: { host: "telemetry" },
  mesh: { routeTimeoutSeconds: 10, retryAttempts: 2, perTryTimeoutSeconds: 3, maxConnections: 1024, consecutive5xxErrors: 5 },
  // kube-prometheus-stack selects rules and monitors by its Helm release name; this is the chart's documented one.
  alerting: { subscriptions: [], loadBalancers: [], prometheusSelectorLabels: { release: "kube-prometheus-stack" } },
  scheduling: { zoneSpread: "preferred" },
  // No custom domains unless a stack binds some; dns-cache re-checks them every 10 minutes.
  customDomains: { domains: {}, tenants: {}, intervalSeconds: 600, replicas: 1, dnsServers: [], dnsTimeoutMs: 2000, gatewayDnsTimeoutMs: 250, certIssuer: { kind: "ClusterIssuer", name: "letsencrypt" } },
  vercel: { plan: "pro", maxDurationSeconds: 30, memoryMb: 1024, secureCompute: false },
};

/** The sizing table from the design (nodes, memory, HPA bounds, Redis shape, Vercel target). */
export const STAGE_DEFAULTS: Record<Stage, DeepPartial<PlatformSettings>> = {
  local: {
    cassandra: { nodesPerDc: 1, replicationFactor: 1, memoryMiB: 2 * GiB, cpuMillis: 500, storageGiB: 5, storageClass: "standard", zones: [], encryption: false },
    // No backups on a laptop cluster (no S3, no IRSA); the drill proves the tool locally instead.
    backup: { enabled: false, schedule: "0 3 * * *", maxBackupAgeDays: 1, maxBackupCount: 1 },
    redis: { mode: "in-cluster", nodes: 1, nodeType: "cache.t4g.micro", multiAz: false, automaticFailover: false, applyImmediately: false, memoryMiB: 256 },
    gateway: { minReplicas: 1, maxReplicas: 1, cpuMillis: 100, memoryMiB: 256, publicHost: "api.telemetry.localhost", jwt: { issuer: "https://auth.telemetry.localhost/", audience: "telemetry-api" } },
    telemetry: { commandReplicas: 1, queryReplicas: 1, cpuMillis: 100, memoryMiB: 256 },
    vercel: { target: "none" },
  },
  dev: {
    cassandra: { nodesPerDc: 1, replicationFactor: 1, memoryMiB: 4 * GiB, cpuMillis: 1000, storageGiB: 50, publicEndpoint: { enabled: true } },
    // Daily, a week kept (CassandraBackupTooOld after 30 h: a missed run).
    backup: { schedule: "0 3 * * *", maxBackupAgeDays: 7, maxBackupCount: 7 },
    redis: { mode: "elasticache", nodes: 1, nodeType: "cache.t4g.small", multiAz: false, automaticFailover: false, applyImmediately: true },
    gateway: { minReplicas: 1, maxReplicas: 2, cpuMillis: 250, memoryMiB: 512 },
    telemetry: { commandReplicas: 1, queryReplicas: 1, cpuMillis: 250, memoryMiB: 512 },
    vercel: { target: "preview" },
  },
  staging: {
    cassandra: { nodesPerDc: 3, replicationFactor: 3, memoryMiB: 8 * GiB, cpuMillis: 2000, storageGiB: 200, publicEndpoint: { enabled: true } },
    backup: { schedule: "0 3 * * *", maxBackupAgeDays: 14, maxBackupCount: 14 },
    redis: { mode: "elasticache", nodes: 2, nodeType: "cache.r7g.large", multiAz: true, automaticFailover: true, applyImmediately: true },
    gateway: { minReplicas: 2, maxReplicas: 4, cpuMillis: 500, memoryMiB: 512 },
    telemetry: { commandReplicas: 2, queryReplicas: 2, cpuMillis: 500, memoryMiB: 512 },
    vercel: { target: "production" },
  },
  prod: {
    cassandra: { nodesPerDc: 3, replicationFactor: 3, memoryMiB: 32 * GiB, cpuMillis: 8000, storageGiB: 1000, storageClass: "gp3-encrypted", publicEndpoint: { enabled: true } },
    // Every 6 h (at most 6 h of writes lost to a whole-DC loss), 30 days kept (CassandraBackupTooOld after 13 h: two missed runs).
    backup: { schedule: "0 */6 * * *", maxBackupAgeDays: 30, maxBackupCount: 120 },
    // Prod changes a cache in its maintenance window: a node-type change restarts nodes.
    redis: { mode: "elasticache", nodes: 3, nodeType: "cache.r7g.xlarge", multiAz: true, automaticFailover: true, applyImmediately: false },
    gateway: { minReplicas: 3, maxReplicas: 20, cpuMillis: 1000, memoryMiB: 1024 },
    scheduling: { zoneSpread: "required" },
    // One per zone, like every prod workload (a zone loss must not stop the refreshes).
    customDomains: { replicas: 3 },
    telemetry: { commandReplicas: 3, queryReplicas: 3, cpuMillis: 1000, memoryMiB: 1024 },
    vercel: { target: "production" },
  },
};

/**
 * The worker nodes each stage's cluster is expected to provide (an EKS managed node group, a
 * prerequisite the stacks do not create), per zone. `npm run cluster -- up --stack <name>` makes
 * fake nodes of exactly this shape (allocatable = what pods can request), and the scheduling test
 * proves every workload of the stage fits on them. Sized for the tier above plus headroom for one
 * node's pods to move during a drain.
 */
export interface NodeGroupShape {
  /** Instance type the allocatable figures come from (documentation; nodes are fake locally). */
  readonly instanceType: string;
  /** Nodes per zone (three zones). */
  readonly nodesPerZone: number;
  /** Allocatable CPU per node, millicores (instance vCPUs less kubelet/system reservations). */
  readonly cpuMillis: number;
  /** Allocatable memory per node, MiB. */
  readonly memoryMiB: number;
  /** Pod slots per node (the VPC CNI's limit for the instance type). */
  readonly pods: number;
}

export const NODE_GROUPS: Record<Stage, NodeGroupShape> = {
  local: { instanceType: "laptop", nodesPerZone: 1, cpuMillis: 4000, memoryMiB: 8 * GiB, pods: 110 },
  dev: { instanceType: "m6i.xlarge", nodesPerZone: 1, cpuMillis: 3920, memoryMiB: 14 * GiB, pods: 58 },
  staging: { instanceType: "m6i.2xlarge", nodesPerZone: 1, cpuMillis: 7910, memoryMiB: 29 * GiB, pods: 58 },
  prod: { instanceType: "r6i.4xlarge", nodesPerZone: 2, cpuMillis: 15890, memoryMiB: 120 * GiB, pods: 234 },
};
