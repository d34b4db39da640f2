import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { Client } from "cassandra-driver";
import { renderSchemaCql, splitCqlStatements } from "../../../apps/telemetry/src/schema.js";
import { TEST_DC, TEST_ENV, TEST_KEYSPACE } from "./env.js";

const script = join(__dirname, "..", "..", "..", "scripts", "cassandra.sh");

/** Starts the local Cassandra (installing it if needed) and creates the test schema from the shared .cql. */
export default async function setup(): Promise<() => Promise<void>> {
  // "launched" on stdout: this call started the node, so teardown stops it (and only then).
  const launched = execFileSync("bash", [script, "start"], { stdio: ["ignore", "pipe", "inherit"] }).toString().trim() === "launched";

  const client = new Client({
    contactPoints: [TEST_ENV.CASSANDRA_CONTACT_POINTS],
    protocolOptions: { port: Number(TEST_ENV.CASSANDRA_PORT) },
    localDataCenter: TEST_DC,
  });
  try {
    await client.connect();
    const cql = renderSchemaCql({ keyspace: TEST_KEYSPACE, replication: { [TEST_DC]: 1 }, defaultTtlSeconds: 7 * 24 * 3600 });
    for (const statement of splitCqlStatements(cql)) await client.execute(statement);
  } finally {
    await client.shutdown();
  }

  return async () => {
    // Leave a Cassandra we did not start (e.g. a developer's) running.
    if (launched) execFileSync("bash", [script, "stop"], { stdio: "inherit" });
  };
}
