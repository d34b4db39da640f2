import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Alerting } from "../components/alerting";
import { CassandraCluster, createClusterCa, issueClientCertificate } from "../components/cassandra";
import { BACKUP_NAMES, CassandraBackup } from "../components/cassandra-backup";
import { DnsCache, domainCredentialName } from "../components/dns-cache";
import { Gateway } from "../components/gateway";
import { MeshRoutes } from "../components/mesh-routes";
import { Redis } from "../components/redis";
import { standardLabels } from "../components/shared/labels";
import { TELEMETRY_FUNCTIONS_CASSANDRA_ROLE, TelemetryFunctions } from "../components/telemetry-functions";
import { TELEMETRY_CASSANDRA_ROLES, TelemetryMeshHost, TelemetryService } from "../components/telemetry-service";
import type { PlatformConfig } from "./config";
import { appImages } from "./images";
import { founderAppRolePassword, founderCa, founderPassword, peerSeeds, peerStacks } from "./peers";
import { createProviders } from "./providers";

/** What each stack exports; prod regions read `cassandraSeeds` of each other. */
export interface PlatformOutputs {
  stage: string;
  region: string;
  cassandraDataCenter: string;
  cassandraSeeds: pulumi.Output<string[]>;
  /** Secret: joining regions log in with the founding region's superuser. */
  cassandraSuperuserPassword: pulumi.Output<string>;
  /** Secret: the apps' Cassandra role passwords by role name; joining regions reuse them. */
  cassandraAppRolePasswords: pulumi.Output<Record<string, string>>;
  /** The cluster CA certificate (founder's; a joining region passes it on). */
  cassandraCaCertPem?: pulumi.Output<string>;
  /** Secret: the cluster CA key, with which joining regions sign their node certificates. */
  cassandraCaPrivateKeyPem?: pulumi.Output<string>;
  publicHost: string;
  redisHost: pulumi.Output<string>;
  vercelProjectId?: pulumi.Output<string>;
  alarmTopicArn?: pulumi.Output<string>;
  /** The region's Cassandra backup bucket (when backups are on). */
  backupBucket?: pulumi.Output<string>;
}

/**
 * The gateway's JWT settings: the key is the Pulumi secret `platform:jwtKey` when set, else an
 * existing Secret (`gateway.jwt.keySecretName`, checked by `npm run preflight`). Config
 * validation already required one of them for every stage but local; local falls back to
 * `gateway-jwt`.
 */
function gatewayJwt(cfg: PlatformConfig, jwtKey: pulumi.Output<string> | undefined) {
  const { keySecretName, ...claims } = cfg.gateway.jwt;
  return { ...claims, ...(jwtKey ? { key: jwtKey } : { keySecretName: keySecretName ?? "gateway-jwt" }) };
}

/**
 * The same key for the Vercel functions, which cannot mount a Secret: the Pulumi secret, or the
 * `key` entry of the gateway's existing Secret read from the cluster (kept secret in state).
 */
function functionsJwtKey(cfg: PlatformConfig, jwtKey: pulumi.Output<string> | undefined, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
  if (jwtKey) return jwtKey;
  const name = cfg.gateway.jwt.keySecretName ?? "gateway-jwt";
  const existing = k8s.core.v1.Secret.get("gateway-jwt-for-functions", `${cfg.namespace}/${name}`, opts);
  return pulumi.secret(existing.data.apply((d) => Buffer.from(d?.["key"] ?? "", "base64").toString("utf8")));
}

/**
 * Declares the whole platform of one stack from its resolved config: data (Cassandra, Redis),
 * the apps (telemetry command/query, gateway), routes, the Vercel project and alerting.
 */
export function declarePlatform(cfg: PlatformConfig): PlatformOutputs {
  const providers = createProviders(cfg);
  const secrets = new pulumi.Config("platform");
  const namespace = new k8s.core.v1.Namespace(
    cfg.namespace,
    { metadata: { name: cfg.namespace, labels: { ...standardLabels("platform", "namespace"), "istio-injection": "enabled" } } },
    { provider: providers.kubernetes },
  );
  // Every in-cluster component: the stack's Kubernetes provider, after the namespace.
  const inCluster: pulumi.ComponentResourceOptions = { providers: [providers.kubernetes], dependsOn: [namespace] };
  const cloud = providers.aws ? [providers.aws] : [];
  const images = appImages(cfg, providers.aws);
  const peers = peerStacks(cfg);
  // One CA per cluster: the founding region creates it, the others sign with the founder's.
  const ca = cfg.cassandra.encryption ? (founderCa(peers) ?? createClusterCa("cassandra", cfg.cassandra.clusterName, {})) : undefined;
  const functionsOn = Boolean(providers.vercel) && cfg.vercel.target !== "none";

  const backup = cassandraBackup(cfg, { ...inCluster, providers: [providers.kubernetes, ...cloud] });

  const cassandra = new CassandraCluster(
    "cassandra",
    {
      namespace: cfg.namespace,
      clusterName: cfg.cassandra.clusterName,
      dataCenter: cfg.region,
      keyspace: cfg.cassandra.keyspace,
      nodes: cfg.cassandra.nodesPerDc,
      replication: cfg.cassandra.replication,
      memoryMiB: cfg.cassandra.memoryMiB,
      heapMiB: cfg.cassandra.heapMiB,
      cpuMillis: cfg.cassandra.cpuMillis,
      storageGiB: cfg.cassandra.storageGiB,
      storageClass: cfg.cassandra.storageClass,
      zones: cfg.cassandra.zones,
      defaultTtlDays: cfg.cassandra.defaultTtlDays,
      image: cfg.cassandra.image,
      peerSeeds: peerSeeds(cfg, peers),
      superuserPassword: founderPassword(peers),
      seedDomain: cfg.cassandra.seedDomain,
      // The apps never log in as the superuser: one keyspace-scoped role per telemetry role.
      // The Vercel functions get a role of their own (revocable alone), only where they exist;
      // medusa's login (schema and token map reads) where backups run. Cluster-wide like the app roles.
      appRoles: [
        ...Object.values(TELEMETRY_CASSANDRA_ROLES),
        ...(functionsOn ? [TELEMETRY_FUNCTIONS_CASSANDRA_ROLE] : []),
        ...(backup ? [{ name: BACKUP_NAMES.cqlRole, access: "read" as const }] : []),
      ].map((r) => ({ ...r, password: founderAppRolePassword(peers, r.name) })),
      removeDataCenters: cfg.cassandra.removeDataCenters,
      // A joining region streams its data from the founder before its apps roll out.
      rebuildFrom: cfg.cassandra.peerRegions[0],
      encryption: ca,
      // The medusa sidecar mounts the backup's ConfigMap and runs as its IRSA ServiceAccount.
      backup: backup && images.medusa ? { image: images.medusa, configMapName: BACKUP_NAMES.configMap, serviceAccountName: BACKUP_NAMES.podServiceAccount, cqlRole: BACKUP_NAMES.cqlRole } : undefined,
      // The functions' path to CQL: a public NLB, or an internal one for Secure Compute's peered VPC.
      publicEndpoint: cfg.cassandra.publicEndpoint.enabled
        ? { sourceRanges: cfg.cassandra.publicEndpoint.sourceRanges, scheme: cfg.vercel.secureCompute ? "internal" : "internet-facing" }
        : undefined,
    },
    backup ? { ...inCluster, dependsOn: [namespace, backup] } : inCluster,
  );

  const redis = new Redis(
    "redis",
    {
      mode: cfg.redis.mode,
      namespace: cfg.namespace,
      nodes: cfg.redis.nodes,
      nodeType: cfg.redis.nodeType,
      multiAz: cfg.redis.multiAz,
      automaticFailover: cfg.redis.automaticFailover,
      applyImmediately: cfg.redis.applyImmediately,
      memoryMiB: cfg.redis.memoryMiB,
      engineVersion: cfg.redis.engineVersion,
      subnetIds: cfg.redis.subnetIds,
      securityGroupIds: cfg.redis.securityGroupIds,
    },
    { ...inCluster, providers: [providers.kubernetes, ...cloud] },
  );

  const telemetryCassandra = (role: keyof typeof TELEMETRY_CASSANDRA_ROLES) => ({
    contactPoints: cassandra.contactPoints,
    dataCenter: cfg.region,
    keyspace: cfg.cassandra.keyspace,
    credentialsSecretName: cassandra.appRoles[TELEMETRY_CASSANDRA_ROLES[role].name]!.secretName,
    // Client encryption: TLS verified with the cluster CA, against the client Service's name.
    ...(cassandra.tlsSecretName ? { caSecretName: cassandra.tlsSecretName, tlsServerName: `cassandra-client.${cfg.namespace}.svc.cluster.local` } : {}),
    // Nodes that require client certificates (public endpoint on) require them from the apps too.
    ...(cassandra.clientCertSecretName ? { clientCertSecretName: cassandra.clientCertSecretName } : {}),
  });
  const meshHost = new TelemetryMeshHost("telemetry", { namespace: cfg.namespace, name: cfg.telemetry.host }, inCluster);

  const hasCustomDomains = Object.keys(cfg.customDomains.domains).length > 0;
  // Custom domains: dns-cache verifies them into the gateway's Redis; a Certificate per domain.
  const dnsCache = hasCustomDomains
    ? new DnsCache(
        "dns-cache",
        {
          namespace: cfg.namespace,
          image: images.dnsCache!,
          domains: cfg.customDomains.domains,
          publicHost: cfg.gateway.publicHost,
          intervalSeconds: cfg.customDomains.intervalSeconds,
          replicas: cfg.customDomains.replicas,
          zoneSpread: cfg.scheduling.zoneSpread,
          dnsServers: cfg.customDomains.dnsServers,
          dnsTimeoutMs: cfg.customDomains.dnsTimeoutMs,
          redis: { host: redis.host, port: redis.port, tls: redis.tls, passwordSecretName: redis.passwordSecretName },
          certificates: { issuer: cfg.customDomains.certIssuer },
        },
        inCluster,
      )
    : undefined;

  const jwtKey = secrets.getSecret("jwtKey");
  const gateway = new Gateway(
    "gateway",
    {
      namespace: cfg.namespace,
      image: images.gateway,
      region: cfg.region,
      stage: cfg.stage,
      minReplicas: cfg.gateway.minReplicas,
      maxReplicas: cfg.gateway.maxReplicas,
      targetCpuPercent: cfg.gateway.targetCpuPercent,
      zoneSpread: cfg.scheduling.zoneSpread,
      size: { cpuMillis: cfg.gateway.cpuMillis, memoryMiB: cfg.gateway.memoryMiB },
      telemetryService: cfg.telemetry.host,
      // The key is a Pulumi secret when set in config; otherwise an existing Secret (e.g. synced by external-secrets).
      jwt: gatewayJwt(cfg, jwtKey),
      redis: { host: redis.host, port: redis.port, tls: redis.tls, passwordSecretName: redis.passwordSecretName },
      // The telemetry command role scopes Idempotency-Keys by the subject signed with this key.
      subjectSigning: true,
      customDomains: hasCustomDomains
        ? { publicHost: cfg.gateway.publicHost, domains: cfg.customDomains.domains, dnsTimeoutMs: cfg.customDomains.gatewayDnsTimeoutMs }
        : undefined,
    },
    { ...inCluster, dependsOn: [namespace, meshHost] },
  );

  const size = { cpuMillis: cfg.telemetry.cpuMillis, memoryMiB: cfg.telemetry.memoryMiB };
  // Custom domains: both roles verify the gateway's signed tenant and keep it to its sources.
  const tenantScoping = hasCustomDomains
    ? { subjectKeySecretName: gateway.subjectKeySecretName.apply((n) => n ?? ""), tenantSources: cfg.customDomains.tenants }
    : {};
  // Readiness of the telemetry pods needs the keyspace, which exists only once the racks are up
  // and the schema Job has run (and, in a joining region, the rebuild: before it LOCAL_* reads find
  // no data and logins no system_auth rows): without this the first `up` times the Deployments out.
  const afterSchema: pulumi.ComponentResourceOptions = { ...inCluster, dependsOn: [namespace, cassandra.schemaJob, cassandra] };
  const command = new TelemetryService(
    "telemetry-command",
    {
      namespace: cfg.namespace,
      image: images.telemetry,
      role: "command",
      replicas: cfg.telemetry.commandReplicas,
      zoneSpread: cfg.scheduling.zoneSpread,
      size,
      cassandra: telemetryCassandra("command"),
      // Verifies the gateway's signed subject: Idempotency-Keys are scoped per caller.
      subjectKeySecretName: gateway.subjectKeySecretName.apply((n) => n ?? ""),
      ...tenantScoping,
    },
    afterSchema,
  );
  const query = new TelemetryService(
    "telemetry-query",
    { namespace: cfg.namespace, image: images.telemetry, role: "query", replicas: cfg.telemetry.queryReplicas, zoneSpread: cfg.scheduling.zoneSpread, size, cassandra: telemetryCassandra("query"), ...tenantScoping },
    afterSchema,
  );

  new MeshRoutes(
    "mesh-routes",
    {
      namespace: cfg.namespace,
      publicHost: cfg.gateway.publicHost,
      tlsCredentialName: cfg.gateway.tlsSecretName,
      // Known from config (not the component's Output): the routes are plain data the policies read.
      customHosts: Object.keys(cfg.customDomains.domains).sort().map((host) => ({ host, credentialName: domainCredentialName(host) })),
      telemetry: { host: cfg.telemetry.host },
      routeTimeoutSeconds: cfg.mesh.routeTimeoutSeconds,
      retryAttempts: cfg.mesh.retryAttempts,
      perTryTimeoutSeconds: cfg.mesh.perTryTimeoutSeconds,
      maxConnections: cfg.mesh.maxConnections,
      consecutive5xxErrors: cfg.mesh.consecutive5xxErrors,
    },
    { ...inCluster, dependsOn: [namespace, gateway, command, query, meshHost, ...(dnsCache ? [dnsCache] : [])] },
  );

  const functions = functionsOn ? declareFunctions(cfg, cassandra, ca, functionsJwtKey(cfg, jwtKey, { provider: providers.kubernetes, dependsOn: [namespace] }), providers.vercel!) : undefined;

  const alerting = new Alerting(
    "alerting",
    {
      namespace: cfg.namespace,
      stage: cfg.stage,
      region: cfg.region,
      prometheusSelectorLabels: cfg.alerting.prometheusSelectorLabels,
      inClusterRedis: cfg.redis.mode === "in-cluster",
      dnsCache: hasCustomDomains,
      cassandraVolumeGiB: cfg.cassandra.storageGiB,
      // Webhook URLs usually embed a token: keep them secret in state.
      notify: { subscriptions: cfg.alerting.subscriptions.map((s) => ({ ...s, endpoint: s.protocol === "https" ? pulumi.secret(s.endpoint) : s.endpoint })) },
      // ElastiCache metrics are per member cluster; their count is known from config.
      cloudWatch: providers.aws
        ? { elastiCacheClusterIds: Array.from({ length: cfg.redis.nodes }, (_, i) => redis.memberClusterIds.apply((ids) => ids[i])), loadBalancers: cfg.alerting.loadBalancers }
        : undefined,
    },
    { ...inCluster, providers: [providers.kubernetes, ...cloud] },
  );

  return {
    stage: cfg.stage,
    region: cfg.region,
    cassandraDataCenter: cfg.region,
    cassandraSeeds: cassandra.seeds,
    cassandraSuperuserPassword: pulumi.secret(cassandra.password),
    cassandraAppRolePasswords: pulumi.secret(pulumi.all(Object.fromEntries(Object.entries(cassandra.appRoles).map(([name, r]) => [name, r.password])))),
    cassandraCaCertPem: ca ? pulumi.output(ca.caCertPem) : undefined,
    cassandraCaPrivateKeyPem: ca ? pulumi.secret(ca.caPrivateKeyPem) : undefined,
    publicHost: cfg.gateway.publicHost,
    redisHost: redis.host,
    vercelProjectId: functions?.projectId,
    alarmTopicArn: alerting.snsTopicArn,
    backupBucket: backup?.bucketName,
  };
}

/** Backups and repairs of this DC (cloud stages with `backup.enabled`; the config refuses them on local). */
function cassandraBackup(cfg: PlatformConfig, opts: pulumi.ComponentResourceOptions): CassandraBackup | undefined {
  const b = cfg.backup;
  if (!b.enabled) return undefined;
  return new CassandraBackup(
    "cassandra-backup",
    {
      namespace: cfg.namespace,
      clusterName: cfg.cassandra.clusterName,
      dataCenter: cfg.region,
      region: cfg.region,
      schedule: b.schedule,
      mode: b.mode,
      maxBackupAgeDays: b.maxBackupAgeDays,
      maxBackupCount: b.maxBackupCount,
      noncurrentRetentionDays: b.noncurrentRetentionDays,
      oidcProviderArn: b.oidcProviderArn!,
      kubectlImage: b.kubectlImage,
      clientTls: cfg.cassandra.encryption,
      repairKeyspace: cfg.cassandra.keyspace,
      repairSchedule: b.repairSchedule,
    },
    opts,
  );
}

/**
 * The Vercel project, talking to this region's CQL load balancer with mutual TLS: a client
 * certificate of the cluster CA (sensitive variables), the functions' own role, and the
 * gateway's JWT settings.
 */
function declareFunctions(
  cfg: PlatformConfig,
  cassandra: CassandraCluster,
  ca: { caCertPem: pulumi.Input<string>; caPrivateKeyPem: pulumi.Input<string> } | undefined,
  jwtKey: pulumi.Output<string>,
  provider: pulumi.ProviderResource,
): TelemetryFunctions {
  const role = cassandra.appRoles[TELEMETRY_FUNCTIONS_CASSANDRA_ROLE.name]!;
  const client = ca ? issueClientCertificate("telemetry-functions", { commonName: "telemetry-functions", ca }, {}) : undefined;
  const { keySecretName: _secret, ...claims } = cfg.gateway.jwt;
  return new TelemetryFunctions(
    "telemetry-functions",
    {
      projectName: `telemetry-${cfg.stack}`,
      teamId: cfg.vercel.teamId,
      target: cfg.vercel.target as "preview" | "production",
      functionRegion: cfg.vercel.functionRegion!,
      plan: cfg.vercel.plan,
      maxDurationSeconds: cfg.vercel.maxDurationSeconds,
      memoryMb: cfg.vercel.memoryMb,
      cassandra: {
        contactPoints: cassandra.publicAddress ? cassandra.publicAddress.apply((a) => [a]) : cassandra.seeds,
        viaLoadBalancer: cassandra.publicAddress !== undefined,
        dataCenter: cfg.region,
        keyspace: cfg.cassandra.keyspace,
        username: role.username,
        password: role.password,
        tls: client && ca ? { caCertPem: ca.caCertPem, clientCertPem: client.certPem, clientKeyPem: client.privateKeyPem, serverName: cassandra.tlsServerName } : undefined,
      },
      auth: { algorithm: claims.algorithm, issuer: claims.issuer!, audience: claims.audience!, key: jwtKey },
    },
    { providers: [provider] },
  );
}
