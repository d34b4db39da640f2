import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { declareKubeObject, type KubeObject } from "../shared/kube";
import { PLATFORM_NAMESPACE, standardLabels } from "../shared/labels";
import { SYSTEM_KEYSPACES, renderClusterSchema } from "./cql";
import { encryptionYaml, issueClientCertificate, issueNodeCertificate, type CassandraEncryptionArgs } from "./encryption";
import { PUBLIC_SERVICE, publicCqlService, publicEndpointProblems, type CassandraPublicEndpointArgs } from "./public-endpoint";
import { deriveHeap } from "./heap";
import { HOSTS_PLACEHOLDER, buildRebuildJob, buildSchemaJob, schemaJobName, type SchemaJobSpec } from "./job";
import { withJmxExporter } from "./metrics";
import { withMedusaSidecar } from "./medusa-sidecar";
import { fillPlaceholder } from "./placeholders";
import { racksFor, type Rack } from "./racks";
import { buildScaleDownJob } from "./scale-down";
import { appRoleSecretName, type CassandraAppRoleArgs } from "./roles";
import { OPS_KEYSPACE, replicationPairs } from "./scripts";
import { validateClusterArgs } from "./validate";
import { COMPONENT, CQL_PORT, NAME, SEEDS_PLACEHOLDER, buildCassandraWorkload } from "./workload";

export { deriveHeap, MAX_HEAP_MIB } from "./heap";
export { appRoleSecretName, type AppRoleAccess, type CassandraAppRoleArgs } from "./roles";
export { MEDUSA_CONTAINER, MEDUSA_INI } from "./medusa-sidecar";

/** The medusa backup sidecar's inputs (declared by components/cassandra-backup). */
export interface CassandraBackupSidecarArgs {
  /** Image with medusa and nodetool (apps/medusa/Dockerfile). */
  readonly image: pulumi.Input<string>;
  /** ConfigMap holding medusa.ini. */
  readonly configMapName: string;
  /** ServiceAccount of the pods, annotated with the backup role (IRSA). */
  readonly serviceAccountName: string;
  /** One of `appRoles` medusa logs in as to read the schema and token map (never the superuser). */
  readonly cqlRole: string;
}
export { createClusterCa, encryptionYaml, issueClientCertificate, type CassandraEncryptionArgs } from "./encryption";
export type { CassandraPublicEndpointArgs } from "./public-endpoint";

/** Credentials of one application role. */
export interface CassandraRoleCredentials {
  /** Secret with keys `username` and `password`. */
  readonly secretName: pulumi.Output<string>;
  readonly username: pulumi.Output<string>;
  /** Password (secret). */
  readonly password: pulumi.Output<string>;
}

export interface CassandraClusterArgs {
  /** Namespace of every object. @default "platform" */
  readonly namespace?: string;
  /** CASSANDRA_CLUSTER_NAME; identical in every region of one cluster. @default "platform" */
  readonly clusterName?: string;
  /** This region's data centre name (= region name, `local` for the local stack). */
  readonly dataCenter: string;
  /** Application keyspace. @default "telemetry" */
  readonly keyspace?: string;
  /** Cassandra nodes in this data centre (spread evenly over `zones`). */
  readonly nodes: number;
  /** Replication factor per data centre of the whole cluster; must include `dataCenter`. */
  readonly replication: Readonly<Record<string, number>>;
  /** Memory request = limit per node, in MiB. */
  readonly memoryMiB: number;
  /** JVM heap in MiB. @default - min(50% of memoryMiB, 31 GiB) */
  readonly heapMiB?: number;
  /** CPU request = limit per node, in millicores. */
  readonly cpuMillis: number;
  /** Data volume per node, in GiB. */
  readonly storageGiB: number;
  /** StorageClass of the data volumes (from config). */
  readonly storageClass: string;
  /** Availability zones, one rack (StatefulSet) each. @default - one unpinned rack `rack1` */
  readonly zones?: readonly string[];
  /** Default TTL of the events table, in days (0 = no expiry). */
  readonly defaultTtlDays: number;
  /** Cassandra image (also runs cqlsh for the schema Job). @default "cassandra:5.0.9" */
  readonly image?: string;
  /** Seeds of the other data centres (StackReferences or config); a change rolls every node. @default - none */
  readonly peerSeeds?: pulumi.Input<pulumi.Input<string>[]>;
  /** DNS suffix other regions reach this DC's pods under. @default "cluster.local" */
  readonly seedDomain?: string;
  /** Name of the superuser role the platform creates. @default "platform" */
  readonly superuserName?: string;
  /** Superuser password shared by every DC of the cluster. @default - generated here */
  readonly superuserPassword?: pulumi.Input<string>;
  /** Inject the Istio sidecar into Cassandra pods. @default false - gossip/CQL outside the mesh */
  readonly meshSidecar?: boolean;
  /** Least-privilege login roles for the apps, limited to `keyspace` (created by the schema Job). @default - none */
  readonly appRoles?: readonly CassandraAppRoleArgs[];
  /** Data centres the schema Job removes from every keyspace; the only way replication shrinks. @default - none */
  readonly removeDataCenters?: readonly string[];
  /** Existing data centre a joining one streams its data from (renders the rebuild Job). @default - none (founding DC) */
  readonly rebuildFrom?: string;
  /** Internode + client TLS with a node certificate signed by the cluster CA. @default - none (plaintext; local only) */
  readonly encryption?: CassandraEncryptionArgs;
  /** A `medusa` sidecar per pod for the scheduled backups and repairs (components/cassandra-backup). @default - none */
  readonly backup?: CassandraBackupSidecarArgs;
  /**
   * Publish CQL through a cloud load balancer (AWS NLB) for clients outside the cluster (the
   * Vercel functions). Needs `encryption`, and makes every client present a certificate of the
   * cluster CA (in-cluster clients get one: `clientCertSecretName`). @default - not published
   */
  readonly publicEndpoint?: CassandraPublicEndpointArgs;
}

const DEFAULT_IMAGE = "cassandra:5.0.9";
const CREDENTIALS_SECRET = "cassandra-credentials";
const CLIENT_SERVICE = "cassandra-client";
const SCHEMA_CONFIGMAP = "cassandra-schema";
const JMX_SECRET = "cassandra-jmx";
const TLS_SECRET = "cassandra-tls";
/** The sidecar image may be an Output (the stack's ECR digest): filled in after synthesis. */
const MEDUSA_IMAGE_PLACEHOLDER = "__MEDUSA_IMAGE__";
/** The in-cluster clients' certificate (`tls.crt`, `tls.key`) when nodes require one. */
const CLIENT_TLS_SECRET = "cassandra-client-tls";
/** Seeds per data centre: enough to join through while one is down, few enough that most nodes bootstrap. */
export const SEEDS_PER_DC = 2;

/**
 * One Cassandra data centre: a StatefulSet per rack (= zone), headless + client Services, ONE
 * PodDisruptionBudget over the DC, generated superuser and JMX credentials, the schema Job, a
 * scale-down guard Job that decommissions nodes before a StatefulSet shrinks (./scale-down.ts), a
 * rebuild Job when the DC joins an existing cluster, TLS from the cluster CA, and
 * least-privilege application roles (a Secret each) so that no app logs in as the superuser.
 *
 * Racks: one StatefulSet per zone (`cassandra-<zone suffix>`), pinned by required node
 * affinity, with CASSANDRA_RACK = the zone. A single StatefulSet with topologySpreadConstraints
 * cannot tell a pod its zone (the downward API has no node labels), so the rack would be a
 * guess; pinning makes "rack = zone" true by construction, keeps each pod next to its zonal
 * volume, and lets NetworkTopologyStrategy put one replica per zone.
 *
 * Multi-region: every region is one data centre of one cluster (same `clusterName`), seeded
 * from `peerSeeds`. Roles are cluster-wide, so every region after the first must pass the
 * first region's passwords: `superuserPassword`, and each app role's `password`, and its CA
 * (`encryption`). Replication only grows (the Job ALTERs to the union of the cluster's current
 * data centres and `replication`); `removeDataCenters` is the explicit way to drop one. A
 * joining DC sets `rebuildFrom` so its nodes stream their data before its apps start.
 */
export class CassandraCluster extends pulumi.ComponentResource {
  /** Headless Service (gossip, per-pod DNS). */
  public readonly headlessServiceName: pulumi.Output<string>;
  /** ClusterIP Service for CQL clients. */
  public readonly clientServiceName: pulumi.Output<string>;
  /** In-cluster DNS names of every node, for drivers. */
  public readonly contactPoints: pulumi.Output<string[]>;
  /** Seeds this DC offers the other regions (first pod of the first two racks, under `seedDomain`). */
  public readonly seeds: pulumi.Output<string[]>;
  /** Data centre name (for LOCAL_* consistency in the apps). */
  public readonly dataCenter: pulumi.Output<string>;
  /** CQL port. */
  public readonly port: pulumi.Output<number>;
  /** Secret with keys `username` and `password`. */
  public readonly credentialsSecretName: pulumi.Output<string>;
  /** Superuser name (secret). */
  public readonly username: pulumi.Output<string>;
  /** Superuser password (secret). */
  public readonly password: pulumi.Output<string>;
  /** Name of the Job that applied the current schema. */
  public readonly schemaJobName: pulumi.Output<string>;
  /** The schema Job: depend on it for anything that needs the keyspace, roles and tables. */
  public readonly schemaJob: pulumi.CustomResource;
  /** Credentials of each application role, by role name. */
  public readonly appRoles: Readonly<Record<string, CassandraRoleCredentials>>;
  /** Secret with `ca.pem` (and the node keystore) when encryption is on; clients mount only `ca.pem`. */
  public readonly tlsSecretName?: pulumi.Output<string>;
  /** Name every node certificate is valid for (clients verify against it: nodes are dialled by IP). */
  public readonly tlsServerName?: pulumi.Output<string>;
  /** Name of the rebuild Job (joining data centres only). */
  public readonly rebuildJobName?: pulumi.Output<string>;
  /** Secret with `tls.crt` + `tls.key`, a client certificate of the cluster CA, when nodes require one (`publicEndpoint`). */
  public readonly clientCertSecretName?: pulumi.Output<string>;
  /** The load balancer's address for CQL (`publicEndpoint`): a DNS name (NLB) once provisioned. */
  public readonly publicAddress?: pulumi.Output<string>;

  private readonly namespace: string;
  private readonly racks: Rack[];

  constructor(name: string, args: CassandraClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:data:CassandraCluster", name, {}, opts);
    validateClusterArgs(args, args.publicEndpoint ? publicEndpointProblems(args.publicEndpoint, args.encryption !== undefined) : []);
    this.namespace = args.namespace ?? PLATFORM_NAMESPACE;
    this.racks = racksFor(args.zones ?? [], args.nodes);
    const heap = deriveHeap(args.memoryMiB, args.cpuMillis, args.heapMiB);
    const image = args.image ?? DEFAULT_IMAGE;
    const peerSeeds = pulumi.output(args.peerSeeds ?? []);

    const superuser = args.superuserName ?? "platform";
    const keyspace = args.keyspace ?? "telemetry";
    const password = this.createPassword(`${name}-superuser`, args.superuserPassword);
    const secret = this.createCredentialsSecret(CREDENTIALS_SECRET, superuser, password);
    const roles = (args.appRoles ?? []).map((r) => {
      const rolePassword = this.createPassword(`${name}-role-${r.name}`, r.password);
      const secretName = appRoleSecretName(r.name);
      return { ...r, password: rolePassword, secretName, secret: this.createCredentialsSecret(secretName, r.name, rolePassword) };
    });

    const jmxPassword = this.createPassword(`${name}-jmx`);
    const jmxSecret = this.createCredentialsSecret(JMX_SECRET, "platform_jmx", jmxPassword);
    const seedDomain = args.seedDomain ?? "cluster.local";
    // Other regions reach the pods under per-pod records external-dns publishes in seedDomain.
    const seedDnsZone = seedDomain === "cluster.local" ? undefined : seedDomain;
    const tlsSecret = args.encryption ? this.createTlsSecret(name, args, seedDnsZone) : undefined;
    // One CQL port serves every client: once it requires certificates, the Jobs and apps need one too.
    const requireClientCertificates = args.publicEndpoint !== undefined || (args.encryption?.requireClientCertificates ?? false);
    const clientTlsSecret = requireClientCertificates ? this.createClientTlsSecret(name, args.encryption!) : undefined;

    const localSeeds = this.seedNames(undefined);
    const seedList = peerSeeds.apply((peers) => [...localSeeds, ...peers].join(","));
    const objects = buildCassandraWorkload({
      namespace: this.namespace,
      clusterName: args.clusterName ?? "platform",
      dataCenter: args.dataCenter,
      racks: this.racks,
      image,
      cpuMillis: args.cpuMillis,
      memoryMiB: args.memoryMiB,
      heap,
      storageGiB: args.storageGiB,
      storageClass: args.storageClass,
      headlessServiceName: NAME,
      clientServiceName: CLIENT_SERVICE,
      credentialsSecretName: CREDENTIALS_SECRET,
      meshSidecar: args.meshSidecar ?? false,
      jmxSecretName: JMX_SECRET,
      encryption: args.encryption
        ? { secretName: TLS_SECRET, yaml: encryptionYaml(undefined, args.encryption.clientOptional ?? false, requireClientCertificates) }
        : undefined,
      seedDnsZone,
    })
      .map((o) => withJmxExporter(o)) // metrics agent for Prometheus (./metrics.ts)
      .map((o) => (args.backup ? withMedusaSidecar(o, { ...args.backup, image: MEDUSA_IMAGE_PLACEHOLDER, jmxSecretName: JMX_SECRET, credentialsSecretName: appRoleSecretName(args.backup.cqlRole) }) : o))
      .map((o) => (args.backup ? fillPlaceholder(o, MEDUSA_IMAGE_PLACEHOLDER, args.backup.image) : o))
      .map((o) => fillPlaceholder(o, SEEDS_PLACEHOLDER, seedList));
    const scaleDownGuard = declareKubeObject(
      buildScaleDownJob({
        namespace: this.namespace,
        image,
        targets: this.racks.map((r) => ({ statefulSet: `${NAME}-${r.suffix}`, replicas: r.replicas })),
        podDomain: `${NAME}.${this.namespace}.svc.cluster.local`,
        jmxSecretName: JMX_SECRET,
        waitAttempts: 60,
        waitIntervalSeconds: 10,
        backoffLimit: 2,
      }),
      // Decommissioning streams a node's whole data set: hours on a large node.
      { parent: this, dependsOn: [jmxSecret], customTimeouts: { create: "24h", update: "24h" } },
    );
    const statefulSets = this.declareWorkload(objects, [jmxSecret, ...(tlsSecret ? [tlsSecret] : []), scaleDownGuard]);

    const jobSpec: SchemaJobSpec = {
      namespace: this.namespace,
      image,
      schemaCql: renderClusterSchema({
        keyspace,
        replication: args.replication,
        defaultTtlSeconds: args.defaultTtlDays * 86_400,
      }),
      keyspaces: [...SYSTEM_KEYSPACES, keyspace, OPS_KEYSPACE],
      replication: replicationPairs(args.replication),
      removeDataCenters: args.removeDataCenters ?? [],
      tlsSecretName: args.encryption ? TLS_SECRET : undefined,
      clientTlsSecretName: clientTlsSecret ? CLIENT_TLS_SECRET : undefined,
      credentialsSecretName: CREDENTIALS_SECRET,
      keyspace,
      appRoles: roles.map((r) => ({ name: r.name, access: r.access, secretName: r.secretName })),
      configMapName: SCHEMA_CONFIGMAP,
      waitAttempts: 120,
      waitIntervalSeconds: 10,
      backoffLimit: 3,
    };
    // cqlsh takes a bare host; a seed may be written `host:7000`.
    const cqlHosts = peerSeeds.apply((peers) =>
      [`${CLIENT_SERVICE}.${this.namespace}.svc.cluster.local`, ...peers.map((p) => p.replace(/:\d+$/, ""))].join(" "),
    );
    const schemaJob = (this.schemaJob = this.createSchemaJob(jobSpec, cqlHosts, [secret, ...roles.map((r) => r.secret), ...(clientTlsSecret ? [clientTlsSecret] : []), ...statefulSets]));
    if (args.rebuildFrom) {
      const rebuild = buildRebuildJob({
        namespace: this.namespace,
        image,
        dataCenter: args.dataCenter,
        sourceDataCenter: args.rebuildFrom,
        nodes: this.podNames(),
        credentialsSecretName: CREDENTIALS_SECRET,
        jmxSecretName: JMX_SECRET,
        tlsSecretName: args.encryption ? TLS_SECRET : undefined,
        clientTlsSecretName: clientTlsSecret ? CLIENT_TLS_SECRET : undefined,
        waitAttempts: 120,
        waitIntervalSeconds: 10,
        backoffLimit: 3,
      });
      // After the schema Job: system_auth and the app keyspaces must list this DC to be streamed.
      declareKubeObject(fillPlaceholder(rebuild, HOSTS_PLACEHOLDER, cqlHosts), {
        parent: this,
        dependsOn: [schemaJob, jmxSecret],
        customTimeouts: { create: "24h", update: "24h" },
      });
      this.rebuildJobName = pulumi.output(rebuild.metadata.name as string);
    }

    this.headlessServiceName = pulumi.output(NAME);
    this.clientServiceName = pulumi.output(CLIENT_SERVICE);
    this.contactPoints = pulumi.output(this.podNames());
    this.seeds = pulumi.output(this.seedNames(seedDnsZone));
    if (tlsSecret) {
      this.tlsSecretName = (tlsSecret as k8s.core.v1.Secret).metadata.name;
      this.tlsServerName = pulumi.output(`${CLIENT_SERVICE}.${this.namespace}.svc.cluster.local`);
    }
    if (clientTlsSecret) this.clientCertSecretName = (clientTlsSecret as k8s.core.v1.Secret).metadata.name;
    if (args.publicEndpoint) this.publicAddress = this.createPublicEndpoint(args.publicEndpoint, statefulSets);
    this.dataCenter = pulumi.output(args.dataCenter);
    this.port = pulumi.output(CQL_PORT);
    // From the Secret itself, so consumers of the name also wait for the Secret.
    this.credentialsSecretName = (secret as k8s.core.v1.Secret).metadata.name;
    this.username = pulumi.secret(superuser);
    this.password = pulumi.secret(password);
    this.schemaJobName = pulumi.output(schemaJobName(jobSpec));
    this.appRoles = Object.fromEntries(
      roles.map((r) => [
        r.name,
        { secretName: (r.secret as k8s.core.v1.Secret).metadata.name, username: pulumi.output(r.name), password: pulumi.secret(r.password) },
      ]),
    );
    this.registerOutputs({
      headlessServiceName: this.headlessServiceName,
      clientServiceName: this.clientServiceName,
      contactPoints: this.contactPoints,
      seeds: this.seeds,
      dataCenter: this.dataCenter,
      port: this.port,
      credentialsSecretName: this.credentialsSecretName,
      username: this.username,
      password: this.password,
      schemaJobName: this.schemaJobName,
      appRoles: this.appRoles,
      rebuildJobName: this.rebuildJobName,
      clientCertSecretName: this.clientCertSecretName,
      publicAddress: this.publicAddress,
    });
  }

  /** The in-cluster clients' certificate (apps and Jobs), signed by the cluster CA. */
  private createClientTlsSecret(name: string, ca: CassandraEncryptionArgs): pulumi.CustomResource {
    const { certPem, privateKeyPem } = issueClientCertificate(`${name}-in-cluster`, { commonName: "cassandra-in-cluster-clients", ca }, { parent: this });
    return declareKubeObject(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: CLIENT_TLS_SECRET, namespace: this.namespace, labels: standardLabels(NAME, COMPONENT) },
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": certPem, "tls.key": privateKeyPem },
      },
      { parent: this },
    );
  }

  /** The NLB Service for CQL; its address once the controller has provisioned it. */
  private createPublicEndpoint(a: CassandraPublicEndpointArgs, after: pulumi.Resource[]): pulumi.Output<string> {
    const svc = declareKubeObject(publicCqlService(this.namespace, a), { parent: this, dependsOn: after }) as k8s.core.v1.Service;
    return svc.status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname ?? s?.loadBalancer?.ingress?.[0]?.ip ?? `${PUBLIC_SERVICE}.${this.namespace}.svc.cluster.local`);
  }

  /** This DC's node certificate (signed by the cluster CA) and the CA, as the pods mount them. */
  private createTlsSecret(name: string, args: CassandraClusterArgs, seedDnsZone: string | undefined): pulumi.CustomResource {
    const domain = `${NAME}.${this.namespace}.svc.cluster.local`;
    const dnsNames = [`*.${domain}`, `${CLIENT_SERVICE}.${this.namespace}.svc.cluster.local`, ...(seedDnsZone ? [`*.${seedDnsZone}`] : [])];
    const { keystorePem, caPem } = issueNodeCertificate(name, { dataCenter: args.dataCenter, dnsNames, ca: args.encryption! }, { parent: this });
    return declareKubeObject(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: TLS_SECRET, namespace: this.namespace, labels: standardLabels(NAME, COMPONENT) },
        type: "Opaque",
        stringData: { "keystore.pem": keystorePem, "ca.pem": caPem },
      },
      { parent: this },
    );
  }

  /** A given password (another DC's) or a new one: alphanumeric, safe in CQL and shell quotes. */
  private createPassword(resourceName: string, given?: pulumi.Input<string>): pulumi.Output<string> {
    if (given !== undefined) return pulumi.secret(given);
    const generated = new random.RandomPassword(resourceName, { length: 32, special: false }, { parent: this });
    return generated.result;
  }

  private createCredentialsSecret(secretName: string, username: string, password: pulumi.Output<string>): pulumi.CustomResource {
    return declareKubeObject(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: secretName, namespace: this.namespace, labels: standardLabels(NAME, COMPONENT) },
        type: "Opaque",
        stringData: { username: pulumi.secret(username), password: pulumi.secret(password) },
      },
      { parent: this },
    );
  }

  /**
   * Racks are chained (each StatefulSet waits for the previous one to be ready), so a rollout
   * restarts one rack, i.e. one replica of every range, at a time: LOCAL_QUORUM holds.
   */
  private declareWorkload(objects: KubeObject[], after: pulumi.Resource[]): pulumi.CustomResource[] {
    const statefulSets: pulumi.CustomResource[] = [];
    for (const obj of objects) {
      if (obj.kind !== "StatefulSet") {
        declareKubeObject(obj, { parent: this });
        continue;
      }
      const replicas = (obj.spec as { replicas: number }).replicas;
      const timeout = `${10 + 10 * replicas}m`;
      statefulSets.push(
        declareKubeObject(obj, {
          parent: this,
          dependsOn: [...after, ...statefulSets.slice(-1)],
          customTimeouts: { create: timeout, update: timeout },
        }),
      );
    }
    return statefulSets;
  }

  private createSchemaJob(spec: SchemaJobSpec, cqlHosts: pulumi.Output<string>, after: pulumi.Resource[]): pulumi.CustomResource {
    const [configMap, job] = buildSchemaJob(spec);
    const cm = declareKubeObject(configMap, { parent: this });
    return declareKubeObject(fillPlaceholder(job, HOSTS_PLACEHOLDER, cqlHosts), {
      parent: this,
      dependsOn: [...after, cm],
      customTimeouts: { create: "90m", update: "90m" },
    });
  }

  /**
   * First pod of the first {@link SEEDS_PER_DC} racks: in-cluster names, or `<pod>.<zone>` as
   * external-dns publishes them for other regions. Seeds never bootstrap, so the other nodes
   * are not seeds: a non-seed that lost its volume bootstraps (streams) instead of joining empty.
   */
  private seedNames(zone: string | undefined): string[] {
    return this.racks
      .slice(0, SEEDS_PER_DC)
      .map((r) => (zone ? `${NAME}-${r.suffix}-0.${zone}` : `${NAME}-${r.suffix}-0.${NAME}.${this.namespace}.svc.cluster.local`));
  }

  private podNames(): string[] {
    return this.racks.flatMap((r) =>
      Array.from({ length: r.replicas }, (_, i) => `${NAME}-${r.suffix}-${i}.${NAME}.${this.namespace}.svc.cluster.local`),
    );
  }
}
