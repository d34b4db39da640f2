/**
 * The one typed config schema for every stack. Stack files (`stacks/Pulumi.<stack>.yaml`) set
 * keys under the `platform:` namespace; ./tiers.ts gives the stage defaults underneath them.
 * Objects are strict, so a typo in a stack file is an error, not a silently ignored key.
 */
import { z } from "zod";
import { DOMAIN_NAME, TENANT_ID } from "../../apps/dns-cache/src/shared/record";
import { tenantRegistryProblems } from "../../apps/telemetry/src/core/tenants";

export type Stage = "local" | "dev" | "staging" | "prod";
export type DeepPartial<T> = T extends readonly (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected an AWS region like eu-west-1");
const dnsName = z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "expected a lower-case DNS name");

const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/, "expected a CIDR like 203.0.113.0/24");

const publicEndpoint = z
  .object({
    enabled: z.boolean().describe("Publish CQL through an AWS NLB for the Vercel functions; every client must then present a certificate of the cluster CA (needs `cassandra.encryption`)."),
    sourceRanges: z.array(cidr).describe("Client CIDRs the NLB admits (`loadBalancerSourceRanges`): the functions' egress ranges; never 0.0.0.0/0."),
  })
  .strict();

const cassandra = z
  .object({
    version: z.string().regex(/^\d+\.\d+\.\d+$/).describe("Apache Cassandra version (image tag)."),
    clusterName: z.string().min(1).describe("Cluster name shared by every data centre."),
    keyspace: z.string().regex(/^[a-z][a-z0-9_]{0,47}$/).describe("Keyspace of the telemetry tables."),
    nodesPerDc: int(1, 100).describe("Nodes in this region's data centre."),
    replicationFactor: int(1, 10).describe("Replication factor of this data centre (also used for peer data centres)."),
    memoryMiB: int(1024).describe("Memory limit = request per node, MiB."),
    heapMiB: int(256).optional().describe("JVM heap, MiB. Derived when absent: half the memory limit, at most 31 GiB."),
    cpuMillis: int(100).describe("CPU request = limit per node, millicores."),
    storageGiB: int(1).describe("Persistent volume per node, GiB."),
    storageClass: z.string().min(1).describe("StorageClass of the data volumes."),
    zones: z.array(z.string().min(1)).optional().describe("Availability zones the racks are spread over. Derived when absent: <region>a, b, c."),
    defaultTtlDays: int(0, 3650).describe("Default TTL of the events table, days (0 keeps data forever)."),
    peerRegions: z.array(region).describe("Other prod regions whose data centres this one joins (their stacks must exist)."),
    extraSeeds: z.array(z.string().min(1)).describe("Extra seed addresses (e.g. a data centre outside Pulumi)."),
    seedDomain: dnsName.optional().describe("DNS suffix under which other regions reach this data centre's pods. @default in-cluster DNS"),
    image: z.string().min(1).optional().describe("Container image. @default cassandra:<version>"),
    encryption: z.boolean().describe("Internode + client TLS with a per-cluster CA (the founding region creates it; joining regions sign with it)."),
    removeDataCenters: z.array(region).describe("Data centres the schema Job removes from every keyspace (the only way replication shrinks)."),
    publicEndpoint,
  })
  .strict();

/** Five-field cron (minute hour day-of-month month day-of-week), as a Kubernetes CronJob takes it. */
const cron = z.string().regex(/^(\S+\s+){4}\S+$/, "expected a five-field cron schedule like `0 3 * * *`");

const backup = z
  .object({
    enabled: z.boolean().describe("Scheduled cassandra-medusa backups of every Cassandra node to this region's S3 bucket (owned by the stack)."),
    schedule: cron.describe("Cron schedule (UTC) of the backup CronJob; each run snapshots then uploads every node of the data centre, one node at a time."),
    mode: z.enum(["differential", "full"]).describe("`differential` uploads only SSTables the bucket does not hold yet (each backup is still complete); `full` uploads everything every time."),
    maxBackupAgeDays: int(0, 3650).describe("medusa purges backups older than this after each run, days (0 = never by age)."),
    maxBackupCount: int(0, 10000).describe("medusa keeps at most this many backups per node (0 = no count limit)."),
    noncurrentRetentionDays: int(1, 3650).describe("Bucket lifecycle: days a deleted or overwritten object stays as a noncurrent version before it expires (undo window for a purge)."),
    repairSchedule: cron.describe("Cron schedule (UTC) of `nodetool repair -pr` on every node, one at a time; must come round well within gc_grace_seconds (10 days)."),
    oidcProviderArn: z.string().regex(/^arn:aws:iam::\d{12}:oidc-provider\/.+$/, "expected the EKS cluster's IAM OIDC provider ARN").optional().describe("IAM OIDC provider of the EKS cluster, for the backup role's IRSA trust. Required when enabled."),
    medusaImage: z.string().min(1).optional().describe("Image of the medusa sidecar in each Cassandra pod. @default built from apps/medusa/Dockerfile (Cassandra image + pinned cassandra-medusa)"),
    kubectlImage: z.string().min(1).describe("Image of the backup CronJob, which runs medusa in each pod's sidecar with `kubectl exec`."),
  })
  .strict();

const redis = z
  .object({
    mode: z.enum(["in-cluster", "elasticache"]).describe("`in-cluster` (a StatefulSet; local) or `elasticache` (AWS replication group)."),
    nodes: int(1, 6).describe("Cache nodes (primary + replicas)."),
    nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/).describe("ElastiCache node type."),
    multiAz: z.boolean().describe("Spread nodes over availability zones (ElastiCache)."),
    automaticFailover: z.boolean().describe("Promote a replica when the primary fails (needs nodes >= 2)."),
    applyImmediately: z.boolean().describe("ElastiCache: apply changes now (true) or in the maintenance window (false; prod)."),
    memoryMiB: int(64).optional().describe("In-cluster only: memory limit, MiB."),
    engineVersion: z.string().optional().describe("ElastiCache engine version. @default the component's default"),
    subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional().describe("ElastiCache subnets (private)."),
    securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/)).optional().describe("Security groups allowed to reach the cache."),
  })
  .strict();

const gateway = z
  .object({
    minReplicas: int(1, 100).describe("HPA minimum replicas."),
    maxReplicas: int(1, 200).describe("HPA maximum replicas."),
    cpuMillis: int(50).describe("CPU request per pod, millicores."),
    memoryMiB: int(64).describe("Memory request = limit per pod, MiB."),
    targetCpuPercent: int(10, 100).describe("HPA target CPU utilisation, percent."),
    publicHost: dnsName.describe("Public host served by the ingress Gateway."),
    tlsSecretName: z.string().min(1).describe("Secret (in the ingress gateway's namespace) holding the TLS certificate."),
    jwt: z
      .object({
        algorithm: z.enum(["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "EdDSA"]).describe("The one JWT algorithm accepted."),
        issuer: z.string().min(1).optional().describe("Required `iss` claim. Set it for every stage but local; example names (example.com, *.test...) are refused."),
        audience: z.string().min(1).optional().describe("Required `aud` claim. Set it for every stage but local; example names are refused."),
        keySecretName: z
          .string()
          .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "expected a Kubernetes Secret name")
          .optional()
          .describe("Existing Secret in the platform namespace whose `key` holds the verification key (PEM or JWKS JSON); `npm run preflight` checks it. Every stage but local needs this or the Pulumi secret `platform:jwtKey`, not both."),
      })
      .strict(),
  })
  .strict();

const telemetry = z
  .object({
    commandReplicas: int(1, 100).describe("Replicas of telemetry-command (writes, read-your-writes reads)."),
    queryReplicas: int(1, 100).describe("Replicas of telemetry-query (reads at LOCAL_ONE)."),
    cpuMillis: int(50).describe("CPU request per pod, millicores."),
    memoryMiB: int(64).describe("Memory request = limit per pod, MiB."),
    host: dnsName.describe("Mesh host the CQRS VirtualService is bound to."),
  })
  .strict();

const scheduling = z
  .object({
    zoneSpread: z.enum(["required", "preferred"]).describe("Spread of gateway/telemetry replicas over zones: `required` (DoNotSchedule) or `preferred`."),
  })
  .strict();

const mesh = z
  .object({
    routeTimeoutSeconds: int(1, 300).describe("Timeout of every HTTP route, seconds."),
    retryAttempts: int(0, 10).describe("Retries on idempotent routes."),
    perTryTimeoutSeconds: int(1, 300).describe("Per-try timeout of a retry, below the route timeout."),
    maxConnections: int(1).describe("DestinationRule connection-pool limit per host."),
    consecutive5xxErrors: int(1).describe("Outlier detection: 5xx in a row before a host is ejected."),
  })
  .strict();

const vercel = z
  .object({
    target: z.enum(["none", "preview", "production"]).describe("`none` (no Vercel project), `preview` or `production`."),
    plan: z.enum(["hobby", "pro", "enterprise"]).describe("Vercel plan; bounds duration and memory."),
    maxDurationSeconds: int(1, 900).describe("Function timeout, seconds."),
    memoryMb: int(128, 4096).describe("Function memory, MB."),
    teamId: z.string().optional().describe("Vercel team id. @default the token's scope"),
    functionRegion: z.string().regex(/^[a-z]{3}\d$/).optional().describe("Function region. Derived when absent: the Vercel region nearest the data centre."),
    secureCompute: z.boolean().describe("Vercel Secure Compute (enterprise): the functions reach Cassandra over the peered VPC, so the CQL load balancer is internal (no public address)."),
  })
  .strict();

const alerting = z
  .object({
    subscriptions: z.array(
      z.object({ protocol: z.enum(["email", "https", "sms", "sqs", "lambda"]), endpoint: z.string().min(3) }).strict(),
    ).describe("SNS subscriptions of the alarm topic: [{protocol, endpoint}]."),
    loadBalancers: z
      .array(
        z
          .object({
            name: z.string().min(1),
            // NLBs publish AWS/NetworkELB metrics: no HTTP 5xx or response time, so the alarms would watch nothing.
            arnSuffix: z.string().regex(/^app\/[\w-]+\/[0-9a-f]+$/, "expected an Application Load Balancer ARN suffix app/<name>/<id> (NLBs, net/…, have no HTTP metrics to alarm on)"),
          })
          .strict(),
      )
      .describe("Application Load Balancers in front of the ingress gateway to alarm on: [{name, arnSuffix: app/<name>/<id>}]; NLBs are refused."),
    prometheusSelectorLabels: z
      .record(z.string().min(1), z.string())
      .describe("Labels on the PrometheusRule and PodMonitors that the cluster's Prometheus selects them by (kube-prometheus-stack: `release: <helm release>`)."),
  })
  .strict();

const customDomains = z
  .object({
    domains: z
      .record(z.string(), z.string().regex(TENANT_ID, "expected a tenant id: a-z, 0-9, - (at most 63)"))
      // Checked here, not as the record's key schema: zod reports a bad key only as "Invalid key in record".
      .superRefine((domains, ctx) => {
        for (const d of Object.keys(domains)) if (!DOMAIN_NAME.test(d)) ctx.addIssue({ code: "custom", path: [d], message: "expected a lower-case domain name (no wildcard)" });
      })
      .describe("The registry: custom domains and the tenant each belongs to, `{\"<domain>\": \"<tenant>\"}`. Each domain must CNAME to gateway.publicHost (or point its A records at its addresses)."),
    tenants: z
      .record(z.string(), z.array(z.string()))
      // Keys and patterns checked here, each problem named (the telemetry server reads the same grammar).
      .superRefine((tenants, ctx) => {
        for (const t of Object.keys(tenants)) if (!TENANT_ID.test(t)) ctx.addIssue({ code: "custom", path: [t], message: "expected a tenant id: a-z, 0-9, - (at most 63)" });
        for (const problem of tenantRegistryProblems(tenants)) ctx.addIssue({ code: "custom", message: problem });
      })
      .describe("Which event sources each tenant's custom domains may ingest into and query, `{\"<tenant>\": [\"<source>\", \"<prefix>*\"]}`; every tenant a domain names must be here."),
    intervalSeconds: int(60, 86_400).describe("Seconds between dns-cache runs; records live 2.5 intervals, the alert fires after 3."),
    replicas: int(1, 5).describe("dns-cache replicas: runs are idempotent, so more than one keeps the records fresh through a node or zone loss."),
    dnsServers: z.array(z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, "expected host or host:port")).describe("Resolvers dns-cache asks (`host` or `host:port`); [] = the pod's resolv.conf."),
    dnsTimeoutMs: int(100, 30_000).describe("dns-cache's timeout per DNS query, ms."),
    gatewayDnsTimeoutMs: int(10, 5_000).describe("The gateway's timeout for its own lookup when Redis has no record, ms (a request waits at most this)."),
    certIssuer: z
      .object({
        kind: z.enum(["ClusterIssuer", "Issuer"]).describe("Kind of the cert-manager issuer that signs each custom domain's Certificate (an Issuer must live in the ingress gateway's namespace)."),
        name: z.string().min(1).describe("Name of that issuer (it must exist; e.g. an ACME issuer with an HTTP-01 solver on the ingress)."),
      })
      .strict(),
  })
  .strict();

const kubernetes = z
  .object({
    context: z.string().min(1).optional().describe("kubeconfig context; the kubeconfig itself may also come from ESC or `platform:kubeconfig` (secret)."),
    renderYamlToDirectory: z.string().min(1).optional().describe("Render manifests into this directory instead of applying them (offline `up`)."),
  })
  .strict();

const images = z
  .object({
    gateway: z.string().min(1).optional().describe("Image of the gateway app (required for `local`; cloud stacks build and push their own)."),
    telemetry: z.string().min(1).optional().describe("Image of the telemetry app (same rule)."),
    dnsCache: z.string().min(1).optional().describe("Image of the dns-cache app (same rule, when customDomains.domains is not empty)."),
  })
  .strict();

/** Everything a stack may set under `platform:`. */
export const settingsSchema = z
  .object({
    org: z.string().min(1).describe("Pulumi organisation, for StackReferences between prod regions."),
    namespace: dnsName.describe("Kubernetes namespace of the platform (sidecar injection on)."),
    cassandra,
    backup,
    redis,
    gateway,
    telemetry,
    mesh,
    scheduling,
    vercel,
    alerting,
    customDomains,
    kubernetes: kubernetes.default({}),
    images: images.default({}),
  })
  .strict();

export type PlatformSettings = z.infer<typeof settingsSchema>;

/** The top-level keys a stack file may set (`platform:<key>`), plus secrets read separately. */
export const SETTINGS_KEYS = Object.keys(settingsSchema.shape) as (keyof PlatformSettings)[];
/** Secret keys, read with `getSecret` only: never validated into plain config. */
export const SECRET_KEYS = ["kubeconfig", "vercelApiToken", "jwtKey"] as const;
