/** Fixed object names (the Cassandra pods, the CronJobs and the alert rules refer to them). */
export const BACKUP_NAMES = {
  /** ConfigMap with medusa.ini. */
  configMap: "cassandra-medusa",
  /** ServiceAccount of the Cassandra pods (IRSA: the sidecars upload). */
  podServiceAccount: "cassandra",
  /** ServiceAccount of the backup and repair CronJobs (exec into the pods). */
  cronServiceAccount: "cassandra-maintenance",
  backupCronJob: "cassandra-backup",
  repairCronJob: "cassandra-repair",
} as const;
