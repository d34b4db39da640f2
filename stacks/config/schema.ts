/**
 * The one typed config schema for every stack. Stack files (`stacks/Pulumi.<stack>.yaml`) set
 * keys under the `platform:` namespace; ./tiers.ts gives the stage defaults underneath them.
 * Objects are strict, so a typo in a stack file is an error, not a silently ignored key.
 */
import { z } from "zod";

export type Stage = "local" | "dev" | "staging" | "prod";
export type DeepPartial<T> = T extends readonly (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected an AWS region like eu-west-1");
const dnsName = z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "expected a lower-case DNS name");

const cassandra = z
  .object({
    /** Apache Cassandra version (image tag). */
    version: z.string().regex(/^\d+\.\d+\.\d+$/),
    /** Cluster name shared by every data centre. */
    clusterName: z.string().min(1),
    /** Keyspace of the telemetry tables. */
    keyspace: z.string().regex(/^[a-z][a-z0-9_]{0,47}$/),
    /** Nodes in this region's data centre. */
    nodesPerDc: int(1, 100),
    /** Replication factor of this data centre (also used for peer data centres). */
    replicationFactor: int(1, 10),
    /** Memory limit = request per node, MiB. */
    memoryMiB: int(1024),
    /** JVM heap, MiB. Derived when absent: half the memory limit, at most 31 GiB. */
    heapMiB: int(256).optional(),
    cpuMillis: int(100),
    storageGiB: int(1),
    storageClass: z.string().min(1),
    /** Availability zones the racks are spread over. Derived when absent: <region>a, b, c. */
    zones: z.array(z.string().min(1)).optional(),
    /** Default TTL of the events table, days (0 keeps data forever). */
    defaultTtlDays: int(0, 3650),
    /** Other prod regions whose data centres this one joins (their stacks must exist). */
    peerRegions: z.array(region),
    /** Extra seed addresses (e.g. a data centre outside Pulumi). */
    extraSeeds: z.array(z.string().min(1)),
    /** DNS suffix under which other regions reach this data centre's pods. @default in-cluster DNS */
    seedDomain: dnsName.optional(),
    /** Container image. @default cassandra:<version> */
    image: z.string().min(1).optional(),
  })
  .strict();

const redis = z
  .object({
    /** `in-cluster` (a StatefulSet; local) or `elasticache` (AWS replication group). */
    mode: z.enum(["in-cluster", "elasticache"]),
    /** Cache nodes (primary + replicas). */
    nodes: int(1, 6),
    nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/),
    multiAz: z.boolean(),
    automaticFailover: z.boolean(),
    /** In-cluster only: memory limit, MiB. */
    memoryMiB: int(64).optional(),
    engineVersion: z.string().optional(),
    /** ElastiCache subnets (private). */
    subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
    /** Security groups allowed to reach the cache. */
    securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/)).optional(),
  })
  .strict();

const gateway = z
  .object({
    minReplicas: int(1, 100),
    maxReplicas: int(1, 200),
    cpuMillis: int(50),
    memoryMiB: int(64),
    targetCpuPercent: int(10, 100),
    /** Public host served by the ingress Gateway. */
    publicHost: dnsName,
    /** Secret (in the ingress gateway's namespace) holding the TLS certificate. */
    tlsSecretName: z.string().min(1),
    jwt: z
      .object({
        algorithm: z.enum(["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "EdDSA"]),
        issuer: z.string().min(1),
        audience: z.string().min(1),
      })
      .strict(),
  })
  .strict();

const telemetry = z
  .object({
    commandReplicas: int(1, 100),
    queryReplicas: int(1, 100),
    cpuMillis: int(50),
    memoryMiB: int(64),
    /** Mesh host the CQRS VirtualService is bound to. */
    host: dnsName,
  })
  .strict();

const mesh = z
  .object({
    routeTimeoutSeconds: int(1, 300),
    retryAttempts: int(0, 10),
    perTryTimeoutSeconds: int(1, 300),
    maxConnections: int(1),
    consecutive5xxErrors: int(1),
  })
  .strict();

const vercel = z
  .object({
    /** `none` (no Vercel project), `preview` or `production`. */
    target: z.enum(["none", "preview", "production"]),
    plan: z.enum(["hobby", "pro", "enterprise"]),
    maxDurationSeconds: int(1, 900),
    memoryMb: int(128, 3009),
    teamId: z.string().optional(),
    /** Function region. Derived when absent: the Vercel region nearest the data centre. */
    functionRegion: z.string().regex(/^[a-z]{3}\d$/).optional(),
  })
  .strict();

const alerting = z
  .object({
    subscriptions: z.array(
      z.object({ protocol: z.enum(["email", "https", "sms", "sqs", "lambda"]), endpoint: z.string().min(3) }).strict(),
    ),
  })
  .strict();

const kubernetes = z
  .object({
    /** kubeconfig context; the kubeconfig itself may also come from ESC or `platform:kubeconfig` (secret). */
    context: z.string().min(1).optional(),
    /** Render manifests into this directory instead of applying them (offline `up`). */
    renderYamlToDirectory: z.string().min(1).optional(),
  })
  .strict();

const images = z
  .object({
    /** Image of the gateway app (required for `local`; cloud stacks build and push their own). */
    gateway: z.string().min(1).optional(),
    /** Image of the telemetry app (same rule). */
    telemetry: z.string().min(1).optional(),
  })
  .strict();

/** Everything a stack may set under `platform:`. */
export const settingsSchema = z
  .object({
    /** Pulumi organisation, for StackReferences between prod regions. */
    org: z.string().min(1),
    namespace: dnsName,
    cassandra,
    redis,
    gateway,
    telemetry,
    mesh,
    vercel,
    alerting,
    kubernetes: kubernetes.default({}),
    images: images.default({}),
  })
  .strict();

export type PlatformSettings = z.infer<typeof settingsSchema>;

/** The top-level keys a stack file may set (`platform:<key>`), plus secrets read separately. */
export const SETTINGS_KEYS = Object.keys(settingsSchema.shape) as (keyof PlatformSettings)[];
export const SECRET_KEYS = ["kubeconfig", "vercelApiToken"] as const;
