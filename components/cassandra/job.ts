import { ApiObject, Duration, JsonPatch, Size } from "cdk8s";
import type { Construct } from "constructs";
import * as kplus from "cdk8s-plus-28";
import { contentHash } from "../shared/hash";
import { synthChart, type KubeObject } from "../shared/kube";
import { standardLabels } from "../shared/labels";
import { hardenedPodSecurity } from "../shared/security";
import { kplusHardenedContainerSecurity, stripCdk8sPlusLabels } from "../shared/cdk8s-plus";
import { CASSANDRA_UID, NAME } from "./workload";
import { appRoleGrants, appRolePasswordEnv, type AppRoleAccess } from "./roles";
import { CA_FILE } from "./encryption";
import { CLIENT_TLS_DIR, SCHEMA_DIR, TLS_DIR, rebuildJobScript, schemaJobScript, type SchemaJobRole } from "./scripts";

/** Placeholder the component swaps for the (Output) host list after synthesis. */
export const HOSTS_PLACEHOLDER = "__CQL_HOSTS__";
export const SCHEMA_COMPONENT = "schema";

export interface SchemaJobSpec {
  readonly namespace: string;
  readonly image: string;
  /** Application CQL (schema.cql). */
  readonly schemaCql: string;
  /** Keyspaces whose replication the Job keeps as the union of current and declared (system ones first). */
  readonly keyspaces: readonly string[];
  /** Declared replication as `dc:rf` pairs (see replicationPairs). */
  readonly replication: string;
  /** Data centres to remove from every keyspace (explicit removal). */
  readonly removeDataCenters: readonly string[];
  /** Secret holding ca.pem when client encryption is on (cqlsh verifies the nodes with it). */
  readonly tlsSecretName?: string;
  /** Secret with the client certificate (`tls.crt`, `tls.key`) when nodes require one. */
  readonly clientTlsSecretName?: string;
  readonly credentialsSecretName: string;
  /** Keyspace the application roles are granted access to. */
  readonly keyspace: string;
  /** Application roles the Job creates, each with the Secret holding its password. */
  readonly appRoles: readonly { readonly name: string; readonly access: AppRoleAccess; readonly secretName: string }[];
  /** ConfigMap holding both CQL files. */
  readonly configMapName: string;
  /** Wait loop: attempts x interval is how long the Job waits for CQL. */
  readonly waitAttempts: number;
  readonly waitIntervalSeconds: number;
  readonly backoffLimit: number;
}

/** The Job's shell script, with one `ensure_role` per application role. */
function jobScript(spec: SchemaJobSpec): string {
  const roles: SchemaJobRole[] = spec.appRoles.map((r) => ({ name: r.name, passwordEnv: appRolePasswordEnv(r.name), grants: appRoleGrants(spec.keyspace, r) }));
  return schemaJobScript(spec.waitAttempts, spec.waitIntervalSeconds, roles, {
    keyspaces: spec.keyspaces,
    replication: spec.replication,
    removeDataCenters: spec.removeDataCenters,
    tls: spec.tlsSecretName !== undefined,
    clientCert: spec.clientTlsSecretName !== undefined,
  });
}

/**
 * Job name carries a hash of everything that defines its run (CQL, script, image): Jobs are
 * immutable, so a schema change becomes a new Job that Pulumi creates (and the old one is
 * deleted), while an unchanged schema leaves the finished Job alone.
 */
export function schemaJobName(spec: SchemaJobSpec): string {
  const script = jobScript(spec);
  return `${NAME}-schema-${contentHash(spec.schemaCql, script, spec.image).slice(0, 10)}`;
}

/**
 * The ConfigMap with the CQL and the Job that applies it with cqlsh. No
 * `ttlSecondsAfterFinished`: Kubernetes would delete the finished Job, the next `pulumi up`
 * would see it gone and create it again, re-running the schema on every deploy. The old Job is
 * instead removed by Pulumi when the hash (the name) changes.
 */
export function buildSchemaJob(spec: SchemaJobSpec): KubeObject[] {
  const labels = standardLabels(NAME, SCHEMA_COMPONENT);
  const objs = synthChart(spec.namespace, (chart) => {
    const cm = new kplus.ConfigMap(chart, "schema-cm", {
      metadata: { name: spec.configMapName, labels },
      data: { "schema.cql": spec.schemaCql },
    });
    const secret = kplus.Secret.fromSecretName(chart, "credentials", spec.credentialsSecretName);
    const job = new kplus.Job(chart, "schema-job", {
      metadata: { name: schemaJobName(spec), labels },
      podMetadata: {
        labels,
        // An Istio sidecar never exits, so the Job would never complete.
        annotations: { "sidecar.istio.io/inject": "false" },
      },
      backoffLimit: spec.backoffLimit,
      activeDeadline: Duration.seconds(spec.waitAttempts * spec.waitIntervalSeconds * (spec.backoffLimit + 1) + 600),
      automountServiceAccountToken: false,
      securityContext: { user: CASSANDRA_UID, group: CASSANDRA_UID, fsGroup: CASSANDRA_UID, ensureNonRoot: true },
      containers: [
        {
          name: "cqlsh",
          image: spec.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ["sh", "-c", jobScript(spec)],
          envVariables: {
            CQL_HOSTS: kplus.EnvValue.fromValue(HOSTS_PLACEHOLDER),
            ...(spec.tlsSecretName ? { SSL_CERTFILE: kplus.EnvValue.fromValue(`${TLS_DIR}/${CA_FILE}`) } : {}),
            CASSANDRA_USERNAME: kplus.EnvValue.fromSecretValue({ secret, key: "username" }),
            CASSANDRA_PASSWORD: kplus.EnvValue.fromSecretValue({ secret, key: "password" }),
            ...Object.fromEntries(
              spec.appRoles.map((r) => [
                appRolePasswordEnv(r.name),
                kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(chart, `role-${r.name}`, r.secretName), key: "password" }),
              ]),
            ),
          },
          resources: {
            cpu: { request: kplus.Cpu.millis(200), limit: kplus.Cpu.millis(500) },
            memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
          },
          securityContext: kplusHardenedContainerSecurity(CASSANDRA_UID),
          // A one-shot script has nothing to probe; only the exit code matters.
        },
      ],
    });
    const [c] = job.containers;
    c.mount(SCHEMA_DIR, kplus.Volume.fromConfigMap(chart, "schema-volume", cm, { name: "schema" }), { readOnly: true });
    c.mount("/tmp", kplus.Volume.fromEmptyDir(chart, "schema-tmp", "tmp"));
    if (spec.tlsSecretName) mountCa(chart, c, spec.tlsSecretName);
    if (spec.clientTlsSecretName) mountClientCert(chart, c, spec.clientTlsSecretName);
    ApiObject.of(job).addJsonPatch(
      JsonPatch.replace("/spec/template/spec/securityContext/seccompProfile", hardenedPodSecurity(CASSANDRA_UID).seccompProfile),
    );
  });
  return objs.map(stripCdk8sPlusLabels);
}

/** Mounts only ca.pem of the TLS Secret (a Job never needs the node key). */
function mountCa(chart: Construct, c: kplus.Container, secretName: string): void {
  const secret = kplus.Secret.fromSecretName(chart, "tls-secret", secretName);
  c.mount(TLS_DIR, kplus.Volume.fromSecret(chart, "tls", secret, { name: "tls", items: { [CA_FILE]: { path: CA_FILE } } }), { readOnly: true });
}

/** Mounts the in-cluster clients' certificate for cqlsh (see clientCertLines in ./scripts). */
function mountClientCert(chart: Construct, c: kplus.Container, secretName: string): void {
  const secret = kplus.Secret.fromSecretName(chart, "client-tls-secret", secretName);
  c.mount(CLIENT_TLS_DIR, kplus.Volume.fromSecret(chart, "client-tls", secret, { name: "client-tls", defaultMode: 0o440 }), { readOnly: true });
}

export const REBUILD_COMPONENT = "rebuild";

export interface RebuildJobSpec {
  readonly namespace: string;
  readonly image: string;
  /** This (joining) data centre. */
  readonly dataCenter: string;
  /** Existing data centre streamed from. */
  readonly sourceDataCenter: string;
  /** DNS names of this data centre's nodes (nodetool connects to each one's JMX). */
  readonly nodes: readonly string[];
  readonly credentialsSecretName: string;
  readonly jmxSecretName: string;
  readonly tlsSecretName?: string;
  /** Secret with the client certificate (`tls.crt`, `tls.key`) when nodes require one. */
  readonly clientTlsSecretName?: string;
  readonly waitAttempts: number;
  readonly waitIntervalSeconds: number;
  readonly backoffLimit: number;
}

/**
 * The Job that rebuilds a joining data centre from an existing one (see rebuildJobScript). Its
 * name hashes DC, source, nodes, script and image: adding a node or changing the source makes a
 * new Job (already rebuilt nodes are skipped by their marker); an unchanged one is left alone.
 * No deadline beyond the wait loop's: streaming a large DC takes hours; backoff retries resume.
 */
export function buildRebuildJob(spec: RebuildJobSpec): KubeObject {
  const script = rebuildJobScript(spec.waitAttempts, spec.waitIntervalSeconds, { tls: spec.tlsSecretName !== undefined, clientCert: spec.clientTlsSecretName !== undefined });
  return buildNodetoolJob({
    namespace: spec.namespace,
    image: spec.image,
    component: REBUILD_COMPONENT,
    name: `${NAME}-rebuild-${contentHash(spec.dataCenter, spec.sourceDataCenter, spec.nodes.join(" "), script, spec.image).slice(0, 10)}`,
    script,
    env: { CQL_HOSTS: HOSTS_PLACEHOLDER, REBUILD_NODES: spec.nodes.join(" "), DATA_CENTER: spec.dataCenter, SOURCE_DATA_CENTER: spec.sourceDataCenter },
    credentialsSecretName: spec.credentialsSecretName,
    jmxSecretName: spec.jmxSecretName,
    tlsSecretName: spec.tlsSecretName,
    clientTlsSecretName: spec.clientTlsSecretName,
    backoffLimit: spec.backoffLimit,
  });
}

/** What differs between the Jobs that drive nodes over remote JMX (rebuild, scale-down guard). */
export interface NodetoolJobSpec {
  readonly namespace: string;
  readonly image: string;
  /** `app.kubernetes.io/component` of the Job and its pod. */
  readonly component: string;
  readonly name: string;
  readonly script: string;
  /** Plain env values (no secrets). */
  readonly env: Readonly<Record<string, string>>;
  /** Superuser Secret, for Jobs that also speak CQL. @default - no CQL credentials */
  readonly credentialsSecretName?: string;
  readonly jmxSecretName: string;
  readonly tlsSecretName?: string;
  readonly clientTlsSecretName?: string;
  readonly backoffLimit: number;
}

/**
 * A Job whose container runs `script` with nodetool (the Cassandra image), the JMX login and,
 * optionally, the superuser login and TLS material. No deadline: streaming a node's data takes
 * as long as it takes; backoff retries resume where the script left off.
 */
export function buildNodetoolJob(spec: NodetoolJobSpec): KubeObject {
  const labels = standardLabels(NAME, spec.component);
  const objs = synthChart(spec.namespace, (chart) => {
    const jmx = kplus.Secret.fromSecretName(chart, "jmx", spec.jmxSecretName);
    const su = spec.credentialsSecretName ? kplus.Secret.fromSecretName(chart, "credentials", spec.credentialsSecretName) : undefined;
    const job = new kplus.Job(chart, "nodetool-job", {
      metadata: { name: spec.name, labels },
      podMetadata: { labels, annotations: { "sidecar.istio.io/inject": "false" } },
      backoffLimit: spec.backoffLimit,
      automountServiceAccountToken: false,
      securityContext: { user: CASSANDRA_UID, group: CASSANDRA_UID, fsGroup: CASSANDRA_UID, ensureNonRoot: true },
      containers: [
        {
          name: "nodetool",
          image: spec.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ["sh", "-c", spec.script],
          envVariables: {
            ...Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
            ...(spec.tlsSecretName ? { SSL_CERTFILE: kplus.EnvValue.fromValue(`${TLS_DIR}/${CA_FILE}`) } : {}),
            ...(su
              ? { CASSANDRA_USERNAME: kplus.EnvValue.fromSecretValue({ secret: su, key: "username" }), CASSANDRA_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: su, key: "password" }) }
              : {}),
            JMX_USERNAME: kplus.EnvValue.fromSecretValue({ secret: jmx, key: "username" }),
            JMX_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: jmx, key: "password" }),
          },
          resources: {
            cpu: { request: kplus.Cpu.millis(200), limit: kplus.Cpu.millis(500) },
            memory: { request: Size.mebibytes(384), limit: Size.mebibytes(384) },
          },
          securityContext: kplusHardenedContainerSecurity(CASSANDRA_UID),
        },
      ],
    });
    const [c] = job.containers;
    c.mount("/tmp", kplus.Volume.fromEmptyDir(chart, "nodetool-tmp", "tmp"));
    if (spec.tlsSecretName) mountCa(chart, c, spec.tlsSecretName);
    if (spec.clientTlsSecretName) mountClientCert(chart, c, spec.clientTlsSecretName);
    ApiObject.of(job).addJsonPatch(
      JsonPatch.replace("/spec/template/spec/securityContext/seccompProfile", hardenedPodSecurity(CASSANDRA_UID).seccompProfile),
    );
  });
  return objs.map(stripCdk8sPlusLabels).find((o) => o.kind === "Job")!;
}
