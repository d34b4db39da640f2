import * as pulumi from "@pulumi/pulumi";
import { declareKubeObject } from "../shared/kube";
import { PLATFORM_NAMESPACE, standardLabels } from "../shared/labels";
import { ArgErrors } from "../shared/validate";
import { CA_FILE } from "../cassandra/encryption";
import { JMX_PORT, TLS_DIR } from "../cassandra/scripts";
import { NAME } from "../cassandra/workload";
import { backupScript, execCronJob, execRbac, repairScript } from "./cronjob";
import { renderMedusaIni } from "./medusa-config";
import { BACKUP_NAMES, CASSANDRA_POD_SELECTOR } from "./names";
import { createBackupBucket, createIrsaRole } from "./storage";

export { BACKUP_NAMES, CASSANDRA_POD_SELECTOR } from "./names";

export { renderMedusaIni, type MedusaIniOptions } from "./medusa-config";
export { backupNodeArgs, purgeArgs, REPAIR_ARGS, backupScript, repairScript } from "./cronjob";
export { oidcIssuer } from "./storage";


export interface CassandraBackupArgs {
  /** Namespace of the Cassandra pods. @default "platform" */
  readonly namespace?: string;
  /** Cassandra cluster name (bucket key prefix `<cluster>-<dataCenter>`). */
  readonly clusterName: string;
  /** This region's data centre (= AWS region of the bucket). */
  readonly dataCenter: string;
  /** AWS region of the bucket. */
  readonly region: string;
  /** Cron schedule (UTC) of the backup CronJob, e.g. `0 *\/6 * * *`. */
  readonly schedule: string;
  /** `differential` uploads only SSTables not yet in the bucket. @default "differential" */
  readonly mode?: "differential" | "full";
  /** medusa purges backups older than this, days (0 = not by age). */
  readonly maxBackupAgeDays: number;
  /** medusa keeps at most this many backups per node (0 = no count limit). */
  readonly maxBackupCount: number;
  /** Days a purged object stays as a noncurrent version in the bucket. @default 7 */
  readonly noncurrentRetentionDays?: number;
  /** IAM OIDC provider ARN of the EKS cluster (IRSA trust). */
  readonly oidcProviderArn: string;
  /** Image of the CronJobs (runs `kubectl exec`). */
  readonly kubectlImage: string;
  /** Client encryption on: medusa's CQL session verifies the nodes with the cluster CA. @default false */
  readonly clientTls?: boolean;
  /** Keyspace the repair CronJob repairs. @default "telemetry" */
  readonly repairKeyspace?: string;
  /** Cron schedule of the primary-range repair; must come round well within gc_grace_seconds (10 days). @default "0 1 * * 0" - weekly */
  readonly repairSchedule?: string;
}

const CRON = /^(\S+\s+){4}\S+$/;

/**
 * Backups of one Cassandra data centre to S3 with cassandra-medusa: the region's bucket
 * (versioned, SSE-KMS, public access blocked, TLS-only, lifecycle for purged versions), an IAM
 * role for the Cassandra pods' ServiceAccount (IRSA, no keys), medusa.ini, and two CronJobs that
 * exec into each pod's `medusa` sidecar one node at a time: the backup (snapshot, upload,
 * purge by age/count) and a primary-range repair. The Cassandra pods mount what this declares
 * through CassandraCluster's `backup` arg ({@link BACKUP_NAMES}).
 */
export class CassandraBackup extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;
  public readonly backupCronJobName: pulumi.Output<string>;
  public readonly repairCronJobName: pulumi.Output<string>;

  constructor(name: string, args: CassandraBackupArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:data:CassandraBackup", name, {}, opts);
    validate(args);
    const namespace = args.namespace ?? PLATFORM_NAMESPACE;
    const bucket = createBackupBucket(`${name}-bucket`, { noncurrentRetentionDays: args.noncurrentRetentionDays ?? 7 }, this);
    const role = createIrsaRole(`${name}-role`, { oidcProviderArn: args.oidcProviderArn, namespace, serviceAccountName: BACKUP_NAMES.podServiceAccount, bucket }, this);
    const labels = standardLabels(NAME, "backup");
    const k = { parent: this };

    declareKubeObject(
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: BACKUP_NAMES.podServiceAccount, namespace, labels, annotations: { "eks.amazonaws.com/role-arn": role.arn as unknown as string } },
        automountServiceAccountToken: false,
      },
      k,
    );
    declareKubeObject(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: BACKUP_NAMES.configMap, namespace, labels },
        data: {
          "medusa.ini": bucket.bucket.apply((b) =>
            renderMedusaIni({
              storage: { bucket: b, region: args.region, prefix: `${args.clusterName}-${args.dataCenter}`, maxBackupAgeDays: args.maxBackupAgeDays, maxBackupCount: args.maxBackupCount },
              node: {
                cassandraYaml: "/etc/cassandra/cassandra.yaml",
                nodetool: "nodetool",
                jmxHost: "127.0.0.1",
                jmxPort: JMX_PORT,
                certfile: args.clientTls ? `${TLS_DIR}/${CA_FILE}` : undefined,
              },
            }),
          ) as unknown as string,
        },
      },
      k,
    );
    for (const o of execRbac(namespace, BACKUP_NAMES.cronServiceAccount)) declareKubeObject(o, k);
    const common = { namespace, selector: CASSANDRA_POD_SELECTOR, serviceAccountName: BACKUP_NAMES.cronServiceAccount, image: args.kubectlImage };
    const backup = execCronJob({ ...common, name: BACKUP_NAMES.backupCronJob, component: "backup", schedule: args.schedule, script: backupScript(args.mode ?? "differential"), deadlineSeconds: 12 * 3600 });
    const repair = execCronJob({ ...common, name: BACKUP_NAMES.repairCronJob, component: "repair", schedule: args.repairSchedule ?? "0 1 * * 0", script: repairScript(args.repairKeyspace ?? "telemetry"), deadlineSeconds: 48 * 3600 });
    declareKubeObject(backup, k);
    declareKubeObject(repair, k);

    this.bucketName = bucket.bucket;
    this.roleArn = role.arn;
    this.backupCronJobName = pulumi.output(BACKUP_NAMES.backupCronJob);
    this.repairCronJobName = pulumi.output(BACKUP_NAMES.repairCronJob);
    this.registerOutputs({ bucketName: this.bucketName, roleArn: this.roleArn, backupCronJobName: this.backupCronJobName, repairCronJobName: this.repairCronJobName });
  }
}

function validate(a: CassandraBackupArgs): void {
  const e = new ArgErrors("CassandraBackup");
  e.check(CRON.test(a.schedule), "schedule", `expected a five-field cron schedule, got "${a.schedule}"`);
  if (a.repairSchedule !== undefined) e.check(CRON.test(a.repairSchedule), "repairSchedule", `expected a five-field cron schedule, got "${a.repairSchedule}"`);
  e.check(Number.isInteger(a.maxBackupAgeDays) && a.maxBackupAgeDays >= 0, "maxBackupAgeDays", `must be an integer >= 0, got ${a.maxBackupAgeDays}`);
  e.check(Number.isInteger(a.maxBackupCount) && a.maxBackupCount >= 0, "maxBackupCount", `must be an integer >= 0, got ${a.maxBackupCount}`);
  e.check(a.maxBackupAgeDays > 0 || a.maxBackupCount > 0, "maxBackupAgeDays", "and maxBackupCount are both 0: backups would never be purged");
  e.check(/^arn:aws:iam::\d{12}:oidc-provider\/.+$/.test(a.oidcProviderArn), "oidcProviderArn", `expected an IAM OIDC provider ARN, got "${a.oidcProviderArn}"`);
  e.check(/^[a-z0-9-]+$/.test(`${a.clusterName}-${a.dataCenter}`), "clusterName", `"${a.clusterName}-${a.dataCenter}" must be lower-case letters, digits and dashes (the bucket key prefix)`);
  e.throwIfAny();
}
