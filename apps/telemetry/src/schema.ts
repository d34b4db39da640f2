import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Path of the CQL schema shared by the schema Job and the tests. */
export const SCHEMA_CQL_PATH = join(__dirname, "..", "schema", "telemetry.cql");

export interface SchemaOptions {
  /** Keyspace name. @default "telemetry" */
  readonly keyspace?: string;
  /** Replication factor per data centre, e.g. `{ "us-east-1": 3 }`. */
  readonly replication: Readonly<Record<string, number>>;
  /** Default TTL of the events table in seconds. */
  readonly defaultTtlSeconds: number;
}

const IDENT = /^[a-z][a-z0-9_]{0,47}$/;
const DC = /^[A-Za-z0-9_.-]+$/;

/** Renders the schema with a NetworkTopologyStrategy replication map. */
export function renderSchemaCql(opts: SchemaOptions): string {
  const keyspace = opts.keyspace ?? "telemetry";
  if (!IDENT.test(keyspace)) throw new Error(`invalid keyspace name "${keyspace}"`);
  const dcs = Object.entries(opts.replication);
  if (dcs.length === 0) throw new Error("replication needs at least one data centre");
  for (const [dc, rf] of dcs) {
    if (!DC.test(dc)) throw new Error(`invalid data centre name "${dc}"`);
    if (!Number.isInteger(rf) || rf < 1) throw new Error(`replication factor for "${dc}" must be a positive integer, got ${rf}`);
  }
  if (!Number.isInteger(opts.defaultTtlSeconds) || opts.defaultTtlSeconds < 0) {
    throw new Error(`defaultTtlSeconds must be a non-negative integer, got ${opts.defaultTtlSeconds}`);
  }
  const replication = `{'class': 'NetworkTopologyStrategy', ${dcs.map(([dc, rf]) => `'${dc}': ${rf}`).join(", ")}}`;
  return readFileSync(SCHEMA_CQL_PATH, "utf8")
    .replaceAll("{{keyspace}}", keyspace)
    .replaceAll("{{replication}}", replication)
    .replaceAll("{{default_ttl_seconds}}", String(opts.defaultTtlSeconds));
}

/** Splits rendered CQL into statements (comments dropped), for drivers that take one at a time. */
export function splitCqlStatements(cql: string): string[] {
  return cql
    .split("\n")
    .filter((l) => !l.trim().startsWith("--"))
    .join("\n")
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
