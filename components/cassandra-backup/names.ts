import { COMPONENT, NAME } from "../cassandra/workload";

/** Label selector of this data centre's Cassandra node pods (the CronJobs and `npm run restore` exec into them). */
export const CASSANDRA_POD_SELECTOR = `app.kubernetes.io/name=${NAME},app.kubernetes.io/component=${COMPONENT}`;

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
  /** The superuser's login (`username`, `password`): `npm run restore` loads as it (sstableloader needs MODIFY). */
  superuserSecret: "cassandra-credentials",
} as const;
