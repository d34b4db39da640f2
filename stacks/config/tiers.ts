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
  },
  gateway: { targetCpuPercent: 70, publicHost: "api.telemetry.example.com", tlsSecretName: "gateway-tls", jwt: { algorithm: "RS256", issuer: "https://auth.example.com/", audience: "telemetry-api" } },
  telemetry: { host: "telemetry" },
  mesh: { routeTimeoutSeconds: 10, retryAttempts: 2, perTryTimeoutSeconds: 3, maxConnections: 1024, consecutive5xxErrors: 5 },
  alerting: { subscriptions: [], loadBalancers: [] },
  scheduling: { zoneSpread: "preferred" },
  vercel: { plan: "pro", maxDurationSeconds: 30, memoryMb: 1024 },
};

/** The sizing table from the design (nodes, memory, HPA bounds, Redis shape, Vercel target). */
export const STAGE_DEFAULTS: Record<Stage, DeepPartial<PlatformSettings>> = {
  local: {
    cassandra: { nodesPerDc: 1, replicationFactor: 1, memoryMiB: 2 * GiB, cpuMillis: 500, storageGiB: 5, storageClass: "standard", zones: [], encryption: false },
    redis: { mode: "in-cluster", nodes: 1, nodeType: "cache.t4g.micro", multiAz: false, automaticFailover: false, memoryMiB: 256 },
    gateway: { minReplicas: 1, maxReplicas: 1, cpuMillis: 100, memoryMiB: 256, publicHost: "api.telemetry.localhost" },
    telemetry: { commandReplicas: 1, queryReplicas: 1, cpuMillis: 100, memoryMiB: 256 },
    vercel: { target: "none" },
  },
  dev: {
    cassandra: { nodesPerDc: 1, replicationFactor: 1, memoryMiB: 4 * GiB, cpuMillis: 1000, storageGiB: 50 },
    redis: { mode: "elasticache", nodes: 1, nodeType: "cache.t4g.small", multiAz: false, automaticFailover: false },
    gateway: { minReplicas: 1, maxReplicas: 2, cpuMillis: 250, memoryMiB: 512 },
    telemetry: { commandReplicas: 1, queryReplicas: 1, cpuMillis: 250, memoryMiB: 512 },
    vercel: { target: "preview" },
  },
  staging: {
    cassandra: { nodesPerDc: 3, replicationFactor: 3, memoryMiB: 8 * GiB, cpuMillis: 2000, storageGiB: 200 },
    redis: { mode: "elasticache", nodes: 2, nodeType: "cache.r7g.large", multiAz: true, automaticFailover: true },
    gateway: { minReplicas: 2, maxReplicas: 4, cpuMillis: 500, memoryMiB: 512 },
    telemetry: { commandReplicas: 2, queryReplicas: 2, cpuMillis: 500, memoryMiB: 512 },
    vercel: { target: "production" },
  },
  prod: {
    cassandra: { nodesPerDc: 3, replicationFactor: 3, memoryMiB: 32 * GiB, cpuMillis: 8000, storageGiB: 1000, storageClass: "gp3-encrypted" },
    redis: { mode: "elasticache", nodes: 3, nodeType: "cache.r7g.xlarge", multiAz: true, automaticFailover: true },
    gateway: { minReplicas: 3, maxReplicas: 20, cpuMillis: 1000, memoryMiB: 1024 },
    scheduling: { zoneSpread: "required" },
    telemetry: { commandReplicas: 3, queryReplicas: 3, cpuMillis: 1000, memoryMiB: 1024 },
    vercel: { target: "production" },
  },
};
