/**
 * The scheduled Jobs that run inside the Cassandra pods' `medusa` sidecar with `kubectl exec`
 * (the sidecar holds the node's data volume, medusa and nodetool): a backup of every node, and
 * a primary-range repair of every node. Both go one node at a time, find the pods by label at
 * run time (a scale-up is covered without a redeploy), and fail when any node failed, so the
 * CronJob's last successful time (kube-state-metrics) is the "last good run" the alerts watch.
 */
import { hardenedContainerSecurity, hardenedPodSecurity } from "../shared/security";
import type { KubeObject } from "../shared/kube";
import { standardLabels } from "../shared/labels";
import { MEDUSA_CONTAINER, MEDUSA_INI } from "../cassandra/medusa-sidecar";

/** UID of the kubectl image's user. */
const KUBECTL_UID = 65532;

/** medusa's argv for one node's backup: the CronJob and the restore drill run exactly this. */
export function backupNodeArgs(ini: string, backupName: string, mode: "differential" | "full"): string[] {
  return ["medusa", "--config-file", ini, "backup-node", "--backup-name", backupName, "--mode", mode];
}

/** medusa's argv for the retention purge (max_backup_age / max_backup_count of the ini). */
export function purgeArgs(ini: string): string[] {
  return ["medusa", "--config-file", ini, "purge"];
}

/** nodetool's argv for one node's primary-range repair, over the pod's own JMX. */
export const REPAIR_ARGS = ["sh", "-c", 'exec nodetool -h 127.0.0.1 -p 7199 -u "$MEDUSA_NODETOOL_USERNAME" -pw "$MEDUSA_NODETOOL_PASSWORD" repair -pr "$0"'];

const q = (args: readonly string[]) => args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");

/**
 * Backup run: one backup name per run (medusa groups the nodes' backups by name into one
 * cluster backup), each node in turn, then that node's purge. A failed purge fails the run too:
 * retention that silently stops would fill the bucket.
 */
export function backupScript(mode: "differential" | "full"): string {
  return runOnEachPod(
    'name="$(date -u +%Y%m%d-%H%M)"',
    `${q(backupNodeArgs(MEDUSA_INI, "__NAME__", mode)).replace("__NAME__", '"$name"')} && kubectl -n "$NAMESPACE" exec "$pod" -c ${MEDUSA_CONTAINER} -- ${q(purgeArgs(MEDUSA_INI))}`,
    "backup $name",
  );
}

/** Repair run: `nodetool repair -pr <keyspace>` on each node in turn (primary ranges: each range repaired once per run). */
export function repairScript(keyspace: string): string {
  return runOnEachPod("", `${q(REPAIR_ARGS)} ${q([keyspace])}`, "repair");
}

function runOnEachPod(prelude: string, command: string, what: string): string {
  return [
    "set -u",
    prelude,
    `pods="$(kubectl -n "$NAMESPACE" get pods -l "$SELECTOR" --field-selector=status.phase=Running -o jsonpath='{.items[*].metadata.name}')"`,
    `[ -n "$pods" ] || { echo "no running pods match $SELECTOR" >&2; exit 1; }`,
    'failed=""',
    "for pod in $pods; do",
    `  echo "${what}: $pod"`,
    `  kubectl -n "$NAMESPACE" exec "$pod" -c ${MEDUSA_CONTAINER} -- ${command} || failed="$failed $pod"`,
    "done",
    `[ -z "$failed" ] || { echo "${what} failed on:$failed" >&2; exit 1; }`,
    `echo "${what}: done on $(echo $pods | wc -w) nodes"`,
  ]
    .filter(Boolean)
    .join("\n");
}

export interface ExecCronJobSpec {
  readonly name: string;
  /** app.kubernetes.io/component of the CronJob and its pods. */
  readonly component: string;
  readonly namespace: string;
  readonly schedule: string;
  readonly script: string;
  /** Label selector of the pods to run in. */
  readonly selector: string;
  readonly serviceAccountName: string;
  readonly image: string;
  /** Longest a run may take. */
  readonly deadlineSeconds: number;
}

/** A CronJob that never overlaps itself, keeps a little history, and retries a failed run once. */
export function execCronJob(spec: ExecCronJobSpec): KubeObject {
  const labels = standardLabels("cassandra", spec.component);
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: spec.name, namespace: spec.namespace, labels },
    spec: {
      schedule: spec.schedule,
      timeZone: "Etc/UTC",
      // A run still going (a large DC) is never doubled: two snapshots/repairs at once hurt the nodes.
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: spec.deadlineSeconds,
          template: {
            metadata: { labels, annotations: { "sidecar.istio.io/inject": "false" } },
            spec: {
              serviceAccountName: spec.serviceAccountName,
              // kubectl needs the ServiceAccount token (pods get/list, pods/exec only).
              automountServiceAccountToken: true,
              restartPolicy: "Never",
              securityContext: hardenedPodSecurity(KUBECTL_UID),
              containers: [
                {
                  name: spec.component,
                  image: spec.image,
                  imagePullPolicy: "IfNotPresent",
                  command: ["sh", "-c", spec.script],
                  env: [
                    { name: "NAMESPACE", value: spec.namespace },
                    { name: "SELECTOR", value: spec.selector },
                  ],
                  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
                  securityContext: hardenedContainerSecurity(KUBECTL_UID),
                },
              ],
            },
          },
        },
      },
    },
  };
}

/** The CronJobs' ServiceAccount and the least privilege they need: find the Cassandra pods and exec into them. */
export function execRbac(namespace: string, serviceAccountName: string): KubeObject[] {
  const labels = standardLabels("cassandra", "maintenance");
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: serviceAccountName, namespace, labels } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: serviceAccountName, namespace, labels },
      rules: [
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
        { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: serviceAccountName, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: serviceAccountName },
      subjects: [{ kind: "ServiceAccount", name: serviceAccountName, namespace }],
    },
  ];
}
