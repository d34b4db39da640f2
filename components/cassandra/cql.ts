import { renderSchemaCql, splitCqlStatements } from "../../apps/telemetry/src/schema";
import { OPS_KEYSPACE } from "./scripts";

/** Keyspaces Cassandra itself creates that must follow the cluster's data centres. */
export const SYSTEM_KEYSPACES = ["system_auth", "system_distributed", "system_traces"] as const;

/** Tables of the app schema whose `default_time_to_live` follows the configured TTL. */
export const TTL_TABLES = ["events"] as const;

export interface ClusterSchemaOptions {
  /** Application keyspace. */
  readonly keyspace: string;
  /** Replication factor per data centre declared by this stack (used when a keyspace is created). */
  readonly replication: Readonly<Record<string, number>>;
  /** Default TTL of the events table in seconds. */
  readonly defaultTtlSeconds: number;
}

/** `{'class': 'NetworkTopologyStrategy', 'dc': n, ...}` with data centres in a stable order. */
export function ntsReplication(replication: Readonly<Record<string, number>>): string {
  const dcs = Object.keys(replication).sort();
  return `{'class': 'NetworkTopologyStrategy', ${dcs.map((dc) => `'${dc}': ${replication[dc]}`).join(", ")}}`;
}

/**
 * The schema Job's application CQL: the app's schema file (the single source of truth), an
 * ALTER TABLE per TTL table (`CREATE TABLE IF NOT EXISTS` keeps the first TTL forever), and the
 * platform's bookkeeping keyspace. No ALTER KEYSPACE here: the Job script sets replication to
 * the union of the cluster's current data centres and the declared ones (never shrinking it).
 */
export function renderClusterSchema(opts: ClusterSchemaOptions): string {
  const sorted = Object.fromEntries(Object.keys(opts.replication).sort().map((dc) => [dc, opts.replication[dc]]));
  const base = renderSchemaCql({ keyspace: opts.keyspace, replication: sorted, defaultTtlSeconds: opts.defaultTtlSeconds });
  // Round-trip through the splitter so the file holds exactly the statements the app's tests see.
  const statements = splitCqlStatements(base).map((s) => `${s};`);
  for (const table of TTL_TABLES) statements.push(`ALTER TABLE ${opts.keyspace}.${table} WITH default_time_to_live = ${opts.defaultTtlSeconds};`);
  statements.push(
    `CREATE KEYSPACE IF NOT EXISTS ${OPS_KEYSPACE} WITH replication = ${ntsReplication(opts.replication)};`,
    `CREATE TABLE IF NOT EXISTS ${OPS_KEYSPACE}.rebuilds (data_center text, host_id uuid, source_data_center text, finished timestamp, PRIMARY KEY (data_center, host_id));`,
  );
  return statements.join("\n\n") + "\n";
}
