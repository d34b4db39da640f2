import { ArgErrors, isPositiveInt } from "../shared/validate";
import { heapProblems } from "./heap";
import { rackProblems } from "./racks";
import { APP_ROLE_ACCESS } from "./roles";
import type { CassandraClusterArgs } from "./index";

const DC = /^[A-Za-z0-9_.-]+$/;
const IDENT = /^[a-z][a-z0-9_]{0,47}$/;

/** Throws one error listing every problem with the args (aws-cdk style). */
export function validateClusterArgs(args: CassandraClusterArgs, extraProblems: readonly string[] = []): void {
  const e = new ArgErrors("CassandraCluster");
  for (const p of extraProblems) e.check(false, p.split(" ")[0]!, p.slice(p.indexOf(" ") + 1));
  e.check(DC.test(args.dataCenter), "dataCenter", `must match ${DC}, got "${args.dataCenter}"`);
  e.check(isPositiveInt(args.nodes), "nodes", `must be a positive integer, got ${args.nodes}`);
  const rfs = Object.entries(args.replication ?? {});
  e.check(rfs.length > 0, "replication", "needs at least one data centre");
  for (const [dc, rf] of rfs) {
    e.check(DC.test(dc), "replication", `data centre "${dc}" must match ${DC}`);
    e.check(isPositiveInt(rf), "replication", `factor for "${dc}" must be a positive integer, got ${rf}`);
  }
  const own = args.replication?.[args.dataCenter];
  e.check(own !== undefined, "replication", `must include this data centre "${args.dataCenter}", got {${rfs.map(([d, r]) => `${d}: ${r}`).join(", ")}}`);
  if (own !== undefined && isPositiveInt(args.nodes)) {
    e.check(own <= args.nodes, "replication", `factor for "${args.dataCenter}" (${own}) exceeds nodes (${args.nodes})`);
  }
  for (const p of heapProblems(args.memoryMiB, args.heapMiB)) e.check(false, p.split(":")[0], p.slice(p.indexOf(":") + 2));
  e.check(isPositiveInt(args.cpuMillis), "cpuMillis", `must be a positive integer, got ${args.cpuMillis}`);
  e.check(isPositiveInt(args.storageGiB), "storageGiB", `must be a positive integer, got ${args.storageGiB}`);
  e.check(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(args.storageClass ?? ""), "storageClass", `must be a StorageClass name, got "${args.storageClass}"`);
  e.check(Number.isInteger(args.defaultTtlDays) && args.defaultTtlDays >= 0, "defaultTtlDays", `must be a non-negative integer, got ${args.defaultTtlDays}`);
  e.check(IDENT.test(args.keyspace ?? "telemetry"), "keyspace", `must match ${IDENT}, got "${args.keyspace}"`);
  // The entrypoint substitutes the name into cassandra.yaml with sed: keep it plain.
  e.check(/^[A-Za-z0-9_.-]+$/.test(args.clusterName ?? "platform"), "clusterName", `must match /^[A-Za-z0-9_.-]+$/, got "${args.clusterName}"`);
  const su = args.superuserName ?? "platform";
  e.check(IDENT.test(su) && su !== "cassandra", "superuserName", `must match ${IDENT} and not be the default "cassandra", got "${su}"`);
  const seen = new Set<string>();
  for (const [i, r] of (args.appRoles ?? []).entries()) {
    e.check(IDENT.test(r.name) && r.name !== "cassandra" && r.name !== su, `appRoles[${i}].name`, `must match ${IDENT} and be neither "cassandra" nor the superuser, got "${r.name}"`);
    e.check(!seen.has(r.name), `appRoles[${i}].name`, `"${r.name}" is listed twice`);
    e.check(APP_ROLE_ACCESS.includes(r.access), `appRoles[${i}].access`, `must be ${APP_ROLE_ACCESS.join(" or ")}, got "${r.access}"`);
    seen.add(r.name);
  }
  if (args.backup) e.check(seen.has(args.backup.cqlRole), "backup.cqlRole", `"${args.backup.cqlRole}" must be one of appRoles (medusa never logs in as the superuser)`);
  for (const dc of args.removeDataCenters ?? []) {
    e.check(DC.test(dc), "removeDataCenters", `data centre "${dc}" must match ${DC}`);
    e.check(args.replication?.[dc] === undefined, "removeDataCenters", `"${dc}" is also in replication: declare it or remove it, not both`);
  }
  if (args.rebuildFrom !== undefined) {
    e.check(args.rebuildFrom !== args.dataCenter, "rebuildFrom", `must be another data centre than this one ("${args.dataCenter}")`);
    e.check(args.replication?.[args.rebuildFrom] !== undefined, "rebuildFrom", `"${args.rebuildFrom}" must be in replication (its data is what is streamed)`);
  }
  if (isPositiveInt(args.nodes)) {
    for (const p of rackProblems(args.zones ?? [], args.nodes)) e.check(false, "zones", p.slice(p.indexOf(":") + 2));
    e.check((args.zones ?? []).length <= args.nodes, "zones", `more zones (${(args.zones ?? []).length}) than nodes (${args.nodes})`);
  }
  e.throwIfAny();
}
