/**
 * The `medusa` sidecar that backs up a Cassandra node (cassandra-medusa: `nodetool snapshot`, then
 * upload of the snapshot's SSTables to S3). It has to run beside the node: the snapshot is hard
 * links in the node's data volume, which only this pod mounts (ReadWriteOnce). The backup
 * CronJob (components/cassandra-backup) runs medusa in it with `kubectl exec`, one node at a
 * time; the repair CronJob runs `nodetool repair -pr` in it the same way. S3 access comes from
 * the pod's ServiceAccount (IRSA web identity), never from keys.
 */
import type { KubeObject } from "../shared/kube";
import { hardenedContainerSecurity } from "../shared/security";
import { TLS_DIR } from "./scripts";
import { CASSANDRA_UID, NAME } from "./workload";

export const MEDUSA_CONTAINER = "medusa";
/** Where the ConfigMap's medusa.ini is mounted (a template: the sidecar adds this node's address). */
export const MEDUSA_CONFIG_DIR = "/etc/medusa";
/** The node's own medusa.ini, written by the sidecar at start: the template plus `fqdn = <pod IP>`. */
export const MEDUSA_INI = "/tmp/medusa.ini";

export interface MedusaSidecarOptions {
  /** Image with medusa and nodetool (apps/medusa/Dockerfile: the Cassandra image + pinned medusa). */
  readonly image: string;
  /** ConfigMap holding `medusa.ini` (components/cassandra-backup). */
  readonly configMapName: string;
  /** ServiceAccount of the Cassandra pods, annotated with the backup role (IRSA). */
  readonly serviceAccountName: string;
  /** Secret with the JMX login (`username`, `password`) nodetool uses. */
  readonly jmxSecretName: string;
  /** Secret with the CQL login medusa reads the schema and token map with (a least-privilege app role's). */
  readonly credentialsSecretName: string;
}

/**
 * Backups are keyed by the node's broadcast address (its pod IP, the key of medusa's token map),
 * as medusa's own Kubernetes mode does; the ini is written to /tmp because the root filesystem
 * is read-only. The loop keeps the container alive for `kubectl exec` and exits on SIGTERM.
 */
export const MEDUSA_SIDECAR_SCRIPT = [
  "set -eu",
  `sed "s/^\\[storage\\]$/[storage]\\nfqdn = $POD_IP/" ${MEDUSA_CONFIG_DIR}/medusa.ini > ${MEDUSA_INI}`,
  "trap 'exit 0' TERM INT",
  "while :; do sleep 3600 & wait $!; done",
].join("\n");

/** Adds the sidecar and the ServiceAccount to a Cassandra StatefulSet; other kinds pass through. */
export function withMedusaSidecar(obj: KubeObject, opts: MedusaSidecarOptions): KubeObject {
  if (obj.kind !== "StatefulSet") return obj;
  const sts = structuredClone(obj) as any;
  const pod = sts.spec.template.spec;
  const main = pod.containers.find((c: { name: string }) => c.name === NAME);
  // The sidecar sees the node's data, its rendered cassandra.yaml and (with encryption) its CA.
  const shared = (main.volumeMounts as { name: string; mountPath: string }[])
    .filter((m) => ["/var/lib/cassandra", "/etc/cassandra", TLS_DIR].includes(m.mountPath))
    .map((m) => ({ ...m, readOnly: m.mountPath !== "/var/lib/cassandra" }));
  pod.serviceAccountName = opts.serviceAccountName;
  pod.volumes = [
    ...(pod.volumes ?? []),
    { name: "medusa-config", configMap: { name: opts.configMapName } },
    { name: "medusa-tmp", emptyDir: {} },
  ];
  const secretEnv = (name: string, secret: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
  pod.containers = [
    ...pod.containers,
    {
      name: MEDUSA_CONTAINER,
      image: opts.image,
      imagePullPolicy: "IfNotPresent",
      command: ["sh", "-c", MEDUSA_SIDECAR_SCRIPT],
      env: [
        { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
        // medusa reads these over its ini, so no login is ever in the ConfigMap.
        secretEnv("MEDUSA_NODETOOL_USERNAME", opts.jmxSecretName, "username"),
        secretEnv("MEDUSA_NODETOOL_PASSWORD", opts.jmxSecretName, "password"),
        secretEnv("MEDUSA_CQL_USERNAME", opts.credentialsSecretName, "username"),
        secretEnv("MEDUSA_CQL_PASSWORD", opts.credentialsSecretName, "password"),
      ],
      volumeMounts: [...shared, { name: "medusa-config", mountPath: MEDUSA_CONFIG_DIR, readOnly: true }, { name: "medusa-tmp", mountPath: "/tmp" }],
      // Uploads are I/O bound; the limit keeps a backup from starving the node of CPU.
      resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
      securityContext: hardenedContainerSecurity(CASSANDRA_UID),
    },
  ];
  return sts;
}
