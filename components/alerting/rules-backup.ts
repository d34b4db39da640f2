/**
 * Data-safety alerts: the last good Cassandra backup and repair of the data centre are too old
 * (components/cassandra-backup's CronJobs, through kube-state-metrics). No `local` threshold:
 * the local stack has no backups. Thresholds follow the stage's schedule in
 * stacks/config/tiers.ts (a test keeps each one above the schedule's period).
 */
import { BACKUP_NAMES } from "../cassandra-backup/names";
import type { AlertRule, QueryContext } from "./dsl";
import { KUBE_STATE_METRICS as KSM } from "./exporter-metrics";
import { ns, ONCALL, TEAM } from "./rules-common";
import { gauge } from "./synthetic";

const HOUR = 3600;

/**
 * Seconds since the CronJob's last success; before its first success, since its creation (a
 * CronJob that never succeeded is as overdue as one that stopped succeeding).
 */
function ageSource(cronJob: string): AlertRule["source"] {
  const sel = (c: QueryContext) => `${ns(c)},cronjob="${cronJob}"`;
  const labels = (c: QueryContext) => ({ namespace: c.namespace, cronjob: cronJob });
  return {
    kind: "promql",
    windowSeconds: 0,
    metrics: [KSM.cronJobLastSuccess, KSM.cronJobCreated],
    query: (c) => `time() - max(${KSM.cronJobLastSuccess}{${sel(c)}} or ${KSM.cronJobCreated}{${sel(c)}})`,
    // Rule tests start at t = 0: healthy = succeeded at the start (age = test time, under an
    // hour); breach = created long ago and never succeeded since (age = test time + 2x threshold).
    fixture: {
      healthy: (_t, c) => [gauge(KSM.cronJobLastSuccess, labels(c), 0), gauge(KSM.cronJobCreated, labels(c), -400 * 24 * HOUR)],
      breach: (t, c) => [gauge(KSM.cronJobLastSuccess, labels(c), -2 * t), gauge(KSM.cronJobCreated, labels(c), -400 * 24 * HOUR)],
    },
  };
}

export const BACKUP_TOO_OLD: AlertRule = {
  name: "CassandraBackupTooOld",
  title: "The last good Cassandra backup is too old",
  description:
    "The backup CronJob has not completed on every node of the data centre for longer than the threshold (it fails when any node's medusa backup or purge fails): a disaster now would lose more writes than the schedule promises.",
  firstCheck: "`kubectl -n platform get jobs -l app.kubernetes.io/component=backup` and the last Job's logs (which pod failed); then `kubectl exec <pod> -c medusa -- medusa --config-file /tmp/medusa.ini list-backups`.",
  severity: "critical",
  notify: ONCALL,
  area: "cassandra-backup",
  intervalSeconds: 300,
  forSeconds: 900,
  breach: "above",
  // dev/staging back up daily (a missed run + slack), prod every 6 h (two missed runs + slack).
  thresholds: { dev: 30 * HOUR, staging: 30 * HOUR, prod: 13 * HOUR },
  unit: "seconds",
  source: ageSource(BACKUP_NAMES.backupCronJob),
};

export const REPAIR_OVERDUE: AlertRule = {
  name: "CassandraRepairOverdue",
  title: "A Cassandra repair is overdue",
  description:
    "The weekly primary-range repair has not completed on every node for longer than the threshold: past gc_grace_seconds (10 days) a replica that missed a delete can bring the deleted data back.",
  firstCheck: "`kubectl -n platform get jobs -l app.kubernetes.io/component=repair` and the last Job's logs; `nodetool repair_admin list` on the failed node; run `nodetool repair -pr telemetry` there before gc_grace_seconds runs out.",
  severity: "warning",
  notify: TEAM,
  area: "cassandra-backup",
  intervalSeconds: 300,
  forSeconds: 900,
  breach: "above",
  thresholds: { dev: 8 * 24 * HOUR, staging: 8 * 24 * HOUR, prod: 8 * 24 * HOUR },
  unit: "seconds",
  source: ageSource(BACKUP_NAMES.repairCronJob),
};

export const BACKUP_RULES: readonly AlertRule[] = [BACKUP_TOO_OLD, REPAIR_OVERDUE];
