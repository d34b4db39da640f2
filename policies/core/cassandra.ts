/** How the pack recognises Cassandra nodes and reads keyspace replication from CQL text. */
import { containersOf, isKind, known, ofKind, podSpec } from "./kube";
import type { CheckContext, ResourceLike } from "./types";

export const envValue = (c: Record<string, any>, name: string): string | undefined =>
  (c.env ?? []).find((e: any) => e.name === name)?.value;

/** A Cassandra node container: it declares its data centre (CASSANDRA_DC) or is named `cassandra`. */
export function isCassandraContainer(c: Record<string, any>): boolean {
  return envValue(c, "CASSANDRA_DC") !== undefined || c.name === "cassandra";
}

/** The Cassandra node containers of one resource (none unless it is a StatefulSet). */
export function cassandraContainers(sts: ResourceLike): { sts: ResourceLike; container: Record<string, any>; where: string }[] {
  if (!isKind(sts, "StatefulSet")) return [];
  return containersOf(podSpec(sts))
    .filter(({ container }) => known(() => isCassandraContainer(container), true))
    .map(({ container, where }) => ({ sts, container, where }));
}

/** Cassandra StatefulSets with their node container. */
export function cassandraNodes(resources: readonly ResourceLike[]): { sts: ResourceLike; container: Record<string, any>; where: string }[] {
  return ofKind(resources, "StatefulSet").flatMap(cassandraContainers);
}

/** JVM size (`16384M`, `16G`, `512m`, `1048576k`) → MiB. */
export function parseJvmSizeMiB(v: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2].toLowerCase()) {
    case "k": return n / 1024;
    case "m": return n;
    case "g": return n * 1024;
    default: return n / (1024 * 1024);
  }
}

export interface KeyspaceReplication {
  readonly keyspace: string;
  readonly strategy: string;
  /** Data centre → factor (`replication_factor` for SimpleStrategy). */
  readonly factors: Record<string, number>;
}

/** Every `CREATE/ALTER KEYSPACE ... WITH replication = {...}` in a CQL text. */
export function parseReplication(cql: string): KeyspaceReplication[] {
  const out: KeyspaceReplication[] = [];
  const re = /(?:CREATE|ALTER)\s+KEYSPACE\s+(?:IF\s+NOT\s+EXISTS\s+)?("?[\w]+"?)\s+WITH\s+replication\s*=\s*\{([^}]*)\}/gi;
  for (const m of cql.matchAll(re)) {
    const entries = [...m[2].matchAll(/'([^']+)'\s*:\s*'?([^,']+)'?/g)].map((e) => [e[1], e[2].trim()] as const);
    const strategy = entries.find(([k]) => k === "class")?.[1] ?? "";
    const factors = Object.fromEntries(entries.filter(([k]) => k !== "class").map(([k, v]) => [k, Number(v)]));
    out.push({ keyspace: m[1].replaceAll('"', ""), strategy: strategy.split(".").pop()!, factors });
  }
  return out;
}

/**
 * Replication statements found in the stack's ConfigMaps, with the ConfigMap holding them. Each
 * ConfigMap key is read on its own (`ctx.part`): a value unknown in a preview (e.g. a cache
 * endpoint in the gateway's ConfigMap) skips that key, not the whole stack policy.
 */
export function replicationStatements(resources: readonly ResourceLike[], ctx: CheckContext): { cm: ResourceLike; replication: KeyspaceReplication }[] {
  const out: { cm: ResourceLike; replication: KeyspaceReplication }[] = [];
  for (const cm of ofKind(resources, "ConfigMap", "")) {
    const where = `ConfigMap ${cm.props.metadata?.name ?? cm.name}`;
    ctx.part(`${where} data`, () => {
      const data: Record<string, unknown> = cm.props.data ?? {};
      for (const key of Object.keys(data)) {
        ctx.part(`${where} data "${key}"`, () => {
          const text = data[key];
          if (typeof text === "string") out.push(...parseReplication(text).map((replication) => ({ cm, replication })));
          return [];
        });
      }
      return [];
    });
  }
  return out;
}

/**
 * The `client_encryption_options` block of a rendered cassandra.yaml fragment (the pods' init
 * script appends it), as flat `key: value` pairs; undefined when the text has none.
 */
export function clientEncryptionOptions(text: string): Record<string, string> | undefined {
  const m = /^client_encryption_options:\n((?:[ \t]+.*\n?)*)/m.exec(text);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const line of m[1].split("\n")) {
    const kv = /^  ([a-z_]+):\s*(.*?)\s*$/.exec(line); // top level of the block only
    if (kv) out[kv[1]] = kv[2].replace(/^["']|["']$/g, "");
  }
  return out;
}

/** Every string a pod's containers run (commands and args), where rendered config lives. */
export function podScripts(sts: ResourceLike): string[] {
  return containersOf(podSpec(sts)).flatMap(({ container }) => [...(container.command ?? []), ...(container.args ?? [])].filter((s: unknown): s is string => typeof s === "string"));
}
