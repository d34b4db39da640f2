import { finding } from "../../core/finding";
import { containersOf, metaName, ofKind, podLabels, podSpec, workloads } from "../../core/kube";
import type { Finding, PlatformPolicy, ResourceLike } from "../../core/types";

/** The schema Job's pods: they create the roles, so they log in as the Cassandra superuser. */
const isSchemaJob = (r: ResourceLike) =>
  podLabels(r)["app.kubernetes.io/name"] === "cassandra" && podLabels(r)["app.kubernetes.io/component"] === "schema";
/** The platform's own Cassandra Jobs (schema, and a joining DC's rebuild, which records its progress as the superuser). */
const isPlatformJob = (r: ResourceLike) =>
  podLabels(r)["app.kubernetes.io/name"] === "cassandra" && ["schema", "rebuild"].includes(podLabels(r)["app.kubernetes.io/component"] ?? "");

/** Every Secret a pod reads: env `secretKeyRef`, `envFrom.secretRef`, secret volumes. */
function secretsReadBy(spec: Record<string, any>): Map<string, string> {
  const out = new Map<string, string>(); // secret → where
  for (const { container, where } of containersOf(spec)) {
    for (const e of container.env ?? []) if (e.valueFrom?.secretKeyRef?.name) out.set(e.valueFrom.secretKeyRef.name, `${where} env ${e.name}`);
    for (const e of container.envFrom ?? []) if (e.secretRef?.name) out.set(e.secretRef.name, `${where} envFrom`);
  }
  for (const v of spec.volumes ?? []) if (v.secret?.secretName) out.set(v.secret.secretName, `volume "${v.name}"`);
  return out;
}

export const cassandraAppsLeastPrivilege: PlatformPolicy = {
  name: "platform-cassandra-apps-least-privilege",
  description: "Checks that no workload but the Cassandra schema and rebuild Jobs reads the Cassandra superuser's Secret: apps log in as keyspace-scoped roles.",
  enforcementLevel: "mandatory",
  scope: "stack",
  remediation: "Give the app its own role (CassandraCluster `appRoles`, access read or readWrite) and reference that role's Secret `cassandra-role-<name>`.",
  checkStack(resources) {
    // The superuser's Secret is whatever the schema Job logs in with.
    const superuser = new Set<string>();
    for (const job of ofKind(resources, "Job").filter(isSchemaJob)) {
      for (const { container } of containersOf(podSpec(job))) {
        const ref = (container.env ?? []).find((e: any) => e.name === "CASSANDRA_USERNAME")?.valueFrom?.secretKeyRef?.name;
        if (ref) superuser.add(ref);
      }
    }
    const out: Finding[] = [];
    for (const w of workloads(resources)) {
      if (isPlatformJob(w)) continue;
      for (const [secret, where] of secretsReadBy(podSpec(w) ?? {})) {
        if (superuser.has(secret)) {
          out.push(finding(w, `${where} reads the Cassandra superuser's Secret ${secret}.`, `run ${metaName(w)} as an app role: reference its Secret cassandra-role-<name> instead.`));
        }
      }
    }
    return out;
  },
};
