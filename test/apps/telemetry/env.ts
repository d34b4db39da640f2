/** Connection settings of the local test Cassandra (scripts/cassandra.sh). */
export const TEST_KEYSPACE = "telemetry_test";
export const TEST_DC = "datacenter1";

export const TEST_ENV = {
  CASSANDRA_CONTACT_POINTS: "127.0.0.1",
  CASSANDRA_PORT: process.env["CASSANDRA_CQL_PORT"] ?? "9042",
  CASSANDRA_LOCAL_DC: TEST_DC,
  CASSANDRA_KEYSPACE: TEST_KEYSPACE,
} as const;
