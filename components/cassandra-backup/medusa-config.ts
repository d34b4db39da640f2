/**
 * medusa.ini for cassandra-medusa (https://github.com/thelastpickle/cassandra-medusa), the
 * backup tool in each Cassandra pod's `medusa` sidecar. One renderer for the stacks (a ConfigMap)
 * and the restore drill (the same text with the loopback S3 endpoint and node commands swapped
 * in), so the drill proves the configuration that ships.
 */

/** Where the backups go and how long they stay. */
export interface MedusaStorage {
  /** S3 bucket (one per region, owned by the stack). */
  readonly bucket: string;
  /** AWS region of the bucket. */
  readonly region: string;
  /** Key prefix inside the bucket: `<cluster>-<data centre>` (medusa refuses a `/`), so DCs and clusters never mix. */
  readonly prefix: string;
  /** Medusa purges backups older than this many days (0 = never by age). */
  readonly maxBackupAgeDays: number;
  /** Medusa keeps at most this many backups per node (0 = no count limit). */
  readonly maxBackupCount: number;
  /**
   * An S3-compatible endpoint instead of AWS S3 (the drill's moto server on loopback).
   * @default - AWS S3 of `region`, credentials from the pod's IRSA web identity
   */
  readonly endpoint?: { readonly host: string; readonly port: number; readonly secure: boolean };
}

/** How medusa reaches the node it runs beside. */
export interface MedusaNode {
  /** cassandra.yaml of the node (medusa reads data_file_directories, ports, listen address from it). */
  readonly cassandraYaml: string;
  /** nodetool executable (snapshot, clearsnapshot). */
  readonly nodetool: string;
  /**
   * sstableloader executable (`restore-node --use-sstableloader`: `npm run restore` into the running cluster).
   * @default "/opt/cassandra/bin/sstableloader" - the Cassandra image's, which the sidecar image is built FROM
   */
  readonly sstableloader?: string;
  /** JMX host and port nodetool connects to. */
  readonly jmxHost: string;
  readonly jmxPort: number;
  /**
   * Name the node's backups are stored under (its broadcast address: the key of medusa's token map).
   * @default - unset: medusa uses $POD_IP in Kubernetes mode
   */
  readonly fqdn?: string;
  /** CA medusa's CQL session verifies the node with (client encryption). @default - plaintext CQL */
  readonly certfile?: string;
  /** Commands medusa runs to stop/start the node during an in-place restore. @default "true" - Kubernetes restarts the pod */
  readonly stopCommand?: string;
  readonly startCommand?: string;
}

/** sstableloader of the Cassandra image (apps/medusa/Dockerfile builds FROM it). */
export const SSTABLELOADER = "/opt/cassandra/bin/sstableloader";

export interface MedusaIniOptions {
  readonly storage: MedusaStorage;
  readonly node: MedusaNode;
  /** Parallel uploads/downloads per node. @default 2 */
  readonly concurrentTransfers?: number;
}

/**
 * The medusa.ini text. Secrets are never in it: the CQL and JMX logins come from the
 * environment (`MEDUSA_CQL_USERNAME`/`_PASSWORD`, `MEDUSA_NODETOOL_USERNAME`/`_PASSWORD`, which
 * medusa reads over the file), S3 credentials from the AWS default chain (IRSA in the pods).
 */
export function renderMedusaIni(o: MedusaIniOptions): string {
  const s = o.storage;
  const n = o.node;
  const storage: Record<string, string | number> = {
    // s3_compatible is medusa's S3 driver with an explicit endpoint; plain `s3` is AWS itself.
    storage_provider: s.endpoint ? "s3_compatible" : "s3",
    bucket_name: s.bucket,
    region: s.region,
    prefix: s.prefix,
    max_backup_age: s.maxBackupAgeDays,
    max_backup_count: s.maxBackupCount,
    concurrent_transfers: o.concurrentTransfers ?? 2,
    use_sudo_for_restore: "False",
    ...(n.fqdn ? { fqdn: n.fqdn } : {}),
    ...(s.endpoint ? { host: s.endpoint.host, port: s.endpoint.port, secure: s.endpoint.secure ? "True" : "False" } : {}),
  };
  const cassandra: Record<string, string | number> = {
    config_file: n.cassandraYaml,
    nodetool_executable: n.nodetool,
    // medusa's default is a bare `sstableloader`; the image's bin/ is not on the sidecar's PATH for sure.
    sstableloader_bin: n.sstableloader ?? SSTABLELOADER,
    // medusa's default flag (-Dcom.sun.jndi.rmiURLParsing=legacy) is for Java 8 nodetools.
    nodetool_flags: "",
    nodetool_host: n.jmxHost,
    nodetool_port: n.jmxPort,
    use_sudo: "False",
    // Token map keys = broadcast addresses (pod IPs), as `fqdn` is.
    resolve_ip_addresses: "False",
    stop_cmd: n.stopCommand ?? "true",
    start_cmd: n.startCommand ?? "true",
    ...(n.certfile ? { certfile: n.certfile } : {}),
  };
  const section = (name: string, kv: Record<string, string | number>) =>
    [`[${name}]`, ...Object.entries(kv).map(([k, v]) => `${k} = ${v}`)].join("\n");
  return [section("cassandra", cassandra), section("storage", storage), section("grpc", { enabled: "False" }), section("logging", { enabled: "False" })].join("\n\n") + "\n";
}
