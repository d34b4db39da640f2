import { renderSchemaCql, splitCqlStatements } from "../../apps/telemetry/src/schema";

/** Keyspaces Cassandra itself creates that must follow the cluster's data centres. */
export const SYSTEM_KEYSPACES = ["system_auth", "system_distributed", "system_traces"] as const;

export interface ClusterSchemaOptions {
  /** Application keyspace. */
  readonly keyspace: string;
  /** Replication factor per data centre (every DC of the cluster, own and peers). */
  readonly replication: Readonly<Record<string, number>>;
  /** Default TTL of the events table in seconds. */
  readonly defaultTtlSeconds: number;
}

/** `{'class': 'NetworkTopologyStrategy', 'dc': n, ...}` with data centres in a stable order. */
export function ntsReplication(replication: Readonly<Record<string, number>>): string {
  const dcs = Object.keys(replication).sort();
  return `{'class': 'NetworkTopologyStrategy', ${dcs.map((dc) => `'${dc}': ${replication[dc]}`).join(", ")}}`;
}

/** `ALTER KEYSPACE <ks> WITH replication = ...;` */
export function alterReplication(keyspace: string, replication: Readonly<Record<string, number>>): string {
  return `ALTER KEYSPACE ${keyspace} WITH replication = ${ntsReplication(replication)};`;
}

/**
 * The schema Job's application CQL: the app's schema file (the single source of truth) plus an
 * ALTER, because `CREATE KEYSPACE IF NOT EXISTS` leaves an existing keyspace untouched when a
 * new region (data centre) joins. Re-running it is harmless: every statement is idempotent.
 */
export function renderClusterSchema(opts: ClusterSchemaOptions): string {
  const sorted = Object.fromEntries(Object.keys(opts.replication).sort().map((dc) => [dc, opts.replication[dc]]));
  const base = renderSchemaCql({ keyspace: opts.keyspace, replication: sorted, defaultTtlSeconds: opts.defaultTtlSeconds });
  // Round-trip through the splitter so the file holds exactly the statements the app's tests see.
  const statements = splitCqlStatements(base).map((s) => `${s};`);
  statements.push(alterReplication(opts.keyspace, opts.replication));
  return statements.join("\n\n") + "\n";
}

/**
 * CQL run before the superuser is created: the auth, distributed and tracing keyspaces use
 * SimpleStrategy RF 1 out of the box, so one lost node would lock every login out.
 */
export function renderSystemReplication(replication: Readonly<Record<string, number>>): string {
  return SYSTEM_KEYSPACES.map((ks) => alterReplication(ks, replication)).join("\n") + "\n";
}
