import { ApiObject, Duration, JsonPatch, Size } from "cdk8s";
import * as kplus from "cdk8s-plus-28";
import { contentHash } from "../shared/hash";
import { synthChart, type KubeObject } from "../shared/kube";
import { standardLabels } from "../shared/labels";
import { hardenedPodSecurity } from "../shared/security";
import { kplusHardenedContainerSecurity, stripCdk8sPlusLabels } from "../shared/cdk8s-plus";
import { CASSANDRA_UID, NAME } from "./workload";
import { appRoleGrants, appRolePasswordEnv, type AppRoleAccess } from "./roles";
import { SCHEMA_DIR, schemaJobScript, type SchemaJobRole } from "./scripts";

/** Placeholder the component swaps for the (Output) host list after synthesis. */
export const HOSTS_PLACEHOLDER = "__CQL_HOSTS__";
export const SCHEMA_COMPONENT = "schema";

export interface SchemaJobSpec {
  readonly namespace: string;
  readonly image: string;
  /** Application CQL (schema.cql). */
  readonly schemaCql: string;
  /** System keyspace replication CQL (system.cql). */
  readonly systemCql: string;
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
  return schemaJobScript(spec.waitAttempts, spec.waitIntervalSeconds, roles);
}

/**
 * Job name carries a hash of everything that defines its run (CQL, script, image): Jobs are
 * immutable, so a schema change becomes a new Job that Pulumi creates (and the old one is
 * deleted), while an unchanged schema leaves the finished Job alone.
 */
export function schemaJobName(spec: SchemaJobSpec): string {
  const script = jobScript(spec);
  return `${NAME}-schema-${contentHash(spec.schemaCql, spec.systemCql, script, spec.image).slice(0, 10)}`;
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
      data: { "schema.cql": spec.schemaCql, "system.cql": spec.systemCql },
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
    ApiObject.of(job).addJsonPatch(
      JsonPatch.replace("/spec/template/spec/securityContext/seccompProfile", hardenedPodSecurity(CASSANDRA_UID).seccompProfile),
    );
  });
  return objs.map(stripCdk8sPlusLabels);
}
