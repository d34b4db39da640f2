import { describe, expect, it } from "vitest";
import { ntsReplication, renderClusterSchema } from "../../../components/cassandra/cql";
import { splitCqlStatements } from "../../../apps/telemetry/src/schema";

describe("cluster schema CQL", () => {
  const replication = { "us-east-1": 3, "eu-west-1": 3, "ap-southeast-1": 2 };
  const cql = renderClusterSchema({ keyspace: "telemetry", replication, defaultTtlSeconds: 7 * 86400 });

  it("orders data centres stably", () => {
    expect(ntsReplication(replication)).toBe("{'class': 'NetworkTopologyStrategy', 'ap-southeast-1': 2, 'eu-west-1': 3, 'us-east-1': 3}");
    expect(renderClusterSchema({ keyspace: "telemetry", replication: { b: 1, a: 1 }, defaultTtlSeconds: 1 })).toBe(
      renderClusterSchema({ keyspace: "telemetry", replication: { a: 1, b: 1 }, defaultTtlSeconds: 1 }),
    );
  });

  it("keeps the app's schema (keyspace, events table, TWCS, TTL), ALTERs the TTL, never ALTERs replication", () => {
    const statements = splitCqlStatements(cql);
    expect(statements[0]).toMatch(/^CREATE KEYSPACE IF NOT EXISTS telemetry\s+WITH replication = \{'class': 'NetworkTopologyStrategy'/);
    expect(statements.some((s) => s.startsWith("CREATE TABLE IF NOT EXISTS telemetry.events"))).toBe(true);
    expect(cql).toContain("PRIMARY KEY ((source, day), event_id)");
    expect(cql).toContain("CLUSTERING ORDER BY (event_id DESC)");
    expect(cql).toContain("TimeWindowCompactionStrategy");
    expect(cql).toContain(`default_time_to_live = ${7 * 86400}`);
    // CREATE TABLE IF NOT EXISTS keeps the first TTL: the ALTER applies a changed one.
    expect(statements).toContain(`ALTER TABLE telemetry.events WITH default_time_to_live = ${7 * 86400}`);
    // Replication is the Job script's union (never a fixed ALTER that could drop a DC).
    expect(statements.some((s) => s.startsWith("ALTER KEYSPACE"))).toBe(false);
    expect(statements).toContain(`CREATE KEYSPACE IF NOT EXISTS platform_ops WITH replication = ${ntsReplication(replication)}`);
  });

  it("rejects what the app's renderer rejects", () => {
    expect(() => renderClusterSchema({ keyspace: "Bad-Name", replication, defaultTtlSeconds: 1 })).toThrow(/keyspace/);
  });
});
