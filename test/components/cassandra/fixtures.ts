import type { CassandraClusterArgs } from "../../../components/cassandra";

/** A prod-like data centre: 3 zones, 3 nodes, two peer regions. */
export const prodArgs: CassandraClusterArgs = {
  dataCenter: "us-east-1",
  nodes: 3,
  replication: { "us-east-1": 3, "eu-west-1": 3, "ap-southeast-1": 3 },
  memoryMiB: 32 * 1024,
  cpuMillis: 4000,
  storageGiB: 500,
  storageClass: "gp3-encrypted",
  zones: ["us-east-1a", "us-east-1b", "us-east-1c"],
  defaultTtlDays: 30,
  peerSeeds: ["cassandra-a-0.cassandra.platform.svc.eu-west-1.platform.internal", "cassandra-a-0.cassandra.platform.svc.ap-southeast-1.platform.internal:7000"],
  seedDomain: "us-east-1.platform.internal",
};

/** The local stack: one node, one rack, no zones. */
export const localArgs: CassandraClusterArgs = {
  dataCenter: "local",
  nodes: 1,
  replication: { local: 1 },
  memoryMiB: 2048,
  cpuMillis: 1000,
  storageGiB: 5,
  storageClass: "standard",
  defaultTtlDays: 7,
};
