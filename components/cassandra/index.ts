import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { declareKubeObject, type KubeObject } from "../shared/kube";
import { PLATFORM_NAMESPACE, standardLabels } from "../shared/labels";
import { renderClusterSchema, renderSystemReplication } from "./cql";
import { deriveHeap } from "./heap";
import { HOSTS_PLACEHOLDER, buildSchemaJob, schemaJobName, type SchemaJobSpec } from "./job";
import { withJmxExporter } from "./metrics";
import { fillPlaceholder } from "./placeholders";
import { racksFor, type Rack } from "./racks";
import { appRoleSecretName, type CassandraAppRoleArgs } from "./roles";
import { validateClusterArgs } from "./validate";
import { COMPONENT, CQL_PORT, NAME, SEEDS_PLACEHOLDER, buildCassandraWorkload } from "./workload";

export { deriveHeap, MAX_HEAP_MIB } from "./heap";
export { appRoleSecretName, type AppRoleAccess, type CassandraAppRoleArgs } from "./roles";

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
}

const DEFAULT_IMAGE = "cassandra:5.0.9";
const CREDENTIALS_SECRET = "cassandra-credentials";
const CLIENT_SERVICE = "cassandra-client";
const SCHEMA_CONFIGMAP = "cassandra-schema";

/**
 * One Cassandra data centre: a StatefulSet per rack (= zone), headless + client Services,
 * PodDisruptionBudgets, generated superuser credentials, the schema Job, and least-privilege
 * application roles (a Secret each) so that no app logs in as the superuser.
 *
 * Racks: one StatefulSet per zone (`cassandra-<zone suffix>`), pinned by required node
 * affinity, with CASSANDRA_RACK = the zone. A single StatefulSet with topologySpreadConstraints
 * cannot tell a pod its zone (the downward API has no node labels), so the rack would be a
 * guess; pinning makes "rack = zone" true by construction, keeps each pod next to its zonal
 * volume, and lets NetworkTopologyStrategy put one replica per zone.
 *
 * Multi-region: every region is one data centre of one cluster (same `clusterName`), seeded
 * from `peerSeeds`. Roles are cluster-wide, so every region after the first must pass the
 * first region's passwords: `superuserPassword`, and each app role's `password`. Cassandra
 * >= 4.0 rejects replication for a data centre that does not exist yet: list a DC in
 * `replication` from the deploy that creates it on, then run `nodetool rebuild -- <existing dc>`
 * on the new nodes to stream their data.
 */
export class CassandraCluster extends pulumi.ComponentResource {
  /** Headless Service (gossip, per-pod DNS). */
  public readonly headlessServiceName: pulumi.Output<string>;
  /** ClusterIP Service for CQL clients. */
  public readonly clientServiceName: pulumi.Output<string>;
  /** In-cluster DNS names of every node, for drivers. */
  public readonly contactPoints: pulumi.Output<string[]>;
  /** Seeds this DC offers the other regions (first pod of every rack). */
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

  private readonly namespace: string;
  private readonly racks: Rack[];

  constructor(name: string, args: CassandraClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:data:CassandraCluster", name, {}, opts);
    validateClusterArgs(args);
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

    const localSeeds = this.seedNames("cluster.local");
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
    })
      .map((o) => withJmxExporter(o)) // metrics agent for Prometheus (./metrics.ts)
      .map((o) => fillPlaceholder(o, SEEDS_PLACEHOLDER, seedList));
    const statefulSets = this.declareWorkload(objects);

    const jobSpec: SchemaJobSpec = {
      namespace: this.namespace,
      image,
      schemaCql: renderClusterSchema({
        keyspace,
        replication: args.replication,
        defaultTtlSeconds: args.defaultTtlDays * 86_400,
      }),
      systemCql: renderSystemReplication(args.replication),
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
    this.schemaJob = this.createSchemaJob(jobSpec, cqlHosts, [secret, ...roles.map((r) => r.secret), ...statefulSets]);

    this.headlessServiceName = pulumi.output(NAME);
    this.clientServiceName = pulumi.output(CLIENT_SERVICE);
    this.contactPoints = pulumi.output(this.podNames());
    this.seeds = pulumi.output(this.seedNames(args.seedDomain ?? "cluster.local"));
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
    });
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
  private declareWorkload(objects: KubeObject[]): pulumi.CustomResource[] {
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
          dependsOn: statefulSets.slice(-1),
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

  private seedNames(domain: string): string[] {
    return this.racks.map((r) => `${NAME}-${r.suffix}-0.${NAME}.${this.namespace}.svc.${domain}`);
  }

  private podNames(): string[] {
    return this.racks.flatMap((r) =>
      Array.from({ length: r.replicas }, (_, i) => `${NAME}-${r.suffix}-${i}.${NAME}.${this.namespace}.svc.cluster.local`),
    );
  }
}
