/** Fixed object names (the Cassandra pods, the CronJobs and the alert rules refer to them). */
export const BACKUP_NAMES = {
  /** ConfigMap with medusa.ini. */
  configMap: "cassandra-medusa",
  /** ServiceAccount of the Cassandra pods (IRSA: the sidecars upload). */
  podServiceAccount: "cassandra",
  /** ServiceAccount of the backup and repair CronJobs (exec into the pods). */
  cronServiceAccount: "cassandra-maintenance",
  /** Cassandra login role medusa reads the schema and token map as (read-only on the app keyspace). */
  cqlRole: "platform_backup",
  backupCronJob: "cassandra-backup",
  repairCronJob: "cassandra-repair",
} as const;
