/** Where the TLS Secret (keystore.pem = key + certificate, ca.pem) is mounted in every pod. */
export const TLS_DIR = "/etc/cassandra-tls";
/** Where the Jobs mount the in-cluster clients' certificate (`tls.crt`, `tls.key`) when nodes require one. */
export const CLIENT_TLS_DIR = "/etc/cassandra-client-tls";

/**
 * cqlsh presents a client certificate only from its cqlshrc (no flag or variable for it):
 * written under $HOME (/tmp, an emptyDir), pointing at the mounted Secret.
 */
function clientCertLines(on: boolean | undefined): string[] {
  if (!on) return [];
  return [`mkdir -p "$HOME/.cassandra" && printf '[ssl]\\nusercert = %s\\nuserkey = %s\\n' "${CLIENT_TLS_DIR}/tls.crt" "${CLIENT_TLS_DIR}/tls.key" > "$HOME/.cassandra/cqlshrc"`];
}

/** What the config init container writes besides the authentication switch. */
export interface ConfigInitOptions {
  /** YAML appended to cassandra.yaml after removing the image's blocks of the same top-level keys. */
  readonly extraYaml?: string;
  /** Write /config/jmxremote.password (0600) from $JMX_USERNAME/$JMX_PASSWORD (remote JMX for nodetool). */
  readonly jmxPasswordFile?: boolean;
  /**
   * Directory of the optional `cassandra-replace` ConfigMap (pod name → dead node's address): a
   * listed pod starts with `-Dcassandra.replace_address_first_boot` (npm run cassandra:replace-node).
   */
  readonly replaceDir?: string;
}

/** The ConfigMap `npm run cassandra:replace-node` writes (not managed by the stacks: no drift). */
export const REPLACE_CONFIG_MAP = "cassandra-replace";
/** Where the init container sees it. */
export const REPLACE_DIR = "/replace";

/**
 * Shell run by the `config` init container (same image as Cassandra): copies the image's
 * /etc/cassandra into a writable emptyDir, because the root filesystem is read-only and the
 * official entrypoint edits cassandra.yaml / cassandra-rackdc.properties in place (seeds,
 * addresses, DC, rack). It also switches on authentication: the image has no environment
 * variable for it, and the word swap works for both the 4.x (`authenticator: X`) and the 5.x
 * (`authenticator: class_name: ...X`) layouts. It fails loudly rather than start without auth.
 * `extraYaml` (encryption options) replaces the image's blocks of the same keys: awk drops each
 * such top-level key with its indented/comment lines, then the block is appended (a duplicate
 * key would leave which one wins to the YAML parser). The JMX password file is what the image's
 * cassandra-env.sh reads with LOCAL_JMX=no; the JVM refuses one readable by others.
 */
export function configInitScript(opts: ConfigInitOptions = {}): string {
  const lines = [
    "set -eu",
    "cp -a /etc/cassandra/. /config/",
    "sed -i -E '/^[[:space:]]*#/!s/AllowAllAuthenticator/PasswordAuthenticator/; /^[[:space:]]*#/!s/AllowAllAuthorizer/CassandraAuthorizer/' /config/cassandra.yaml",
    "grep -Eq '^[^#]*PasswordAuthenticator' /config/cassandra.yaml || { echo 'could not enable PasswordAuthenticator' >&2; exit 1; }",
    "grep -Eq '^[^#]*CassandraAuthorizer' /config/cassandra.yaml || { echo 'could not enable CassandraAuthorizer' >&2; exit 1; }",
  ];
  if (opts.extraYaml) {
    const keys = [...opts.extraYaml.matchAll(/^([a-z_]+):/gm)].map((m) => m[1]);
    lines.push(
      `awk -v keys=" ${keys.join(" ")} " '/^[a-z_]+:/ { k = $0; sub(/:.*/, "", k); skip = index(keys, " " k " ") > 0 } /^[a-z_]/ && !/^[a-z_]+:/ { skip = 0 } !skip' /config/cassandra.yaml > /config/cassandra.yaml.new`,
      "cat >> /config/cassandra.yaml.new <<'PLATFORM_YAML'",
      opts.extraYaml.trimEnd(),
      "PLATFORM_YAML",
      "mv /config/cassandra.yaml.new /config/cassandra.yaml",
    );
  }
  if (opts.jmxPasswordFile) {
    lines.push(
      "umask 077",
      'printf \'%s %s\\n\' "$JMX_USERNAME" "$JMX_PASSWORD" > /config/jmxremote.password',
    );
  }
  if (opts.replaceDir) {
    // $HOSTNAME is the pod's name. The address is checked (IPv4/IPv6 characters only) before it
    // reaches the JVM options; Cassandra ignores the flag once the node has bootstrapped.
    lines.push(
      `if [ -f "${opts.replaceDir}/$HOSTNAME" ]; then`,
      `  addr="$(tr -d ' \\n' < "${opts.replaceDir}/$HOSTNAME")"`,
      `  case "$addr" in ''|*[!0-9a-fA-F:.]*) echo "${REPLACE_CONFIG_MAP}: not an address for $HOSTNAME: '$addr'" >&2; exit 1 ;; esac`,
      '  echo "-Dcassandra.replace_address_first_boot=$addr" >> /config/jvm-server.options',
      '  echo "$HOSTNAME replaces the dead node $addr (streams its ranges from the replicas)" >&2',
      "fi",
    );
  }
  return lines.join("\n");
}

/**
 * The Cassandra container's command: the official image's entrypoint (`docker-entrypoint.sh
 * cassandra -f`: it writes seeds, addresses, DC and rack into cassandra.yaml), except that a pod
 * listed in the `cassandra-replace` ConfigMap first drops itself from its own seed list. A seed
 * never bootstraps, and Cassandra refuses to replace a node without bootstrapping ("Replacing a
 * node without bootstrapping risks invalidating consistency guarantees", seen on the real ring):
 * as a non-seed the replacement streams the dead node's ranges. Two seeds per data centre leave
 * the other one (and the peers') in the list.
 */
export function startScript(replaceDir: string): string {
  return [
    "set -eu",
    `if [ -f "${replaceDir}/$HOSTNAME" ]; then`,
    `  CASSANDRA_SEEDS="$(printf '%s\\n' "$CASSANDRA_SEEDS" | tr ',' '\\n' | grep -v "^$HOSTNAME\\." | paste -sd, -)"`,
    '  export CASSANDRA_SEEDS',
    '  echo "replacing a node: seeds without this pod: $CASSANDRA_SEEDS" >&2',
    "fi",
    "exec docker-entrypoint.sh cassandra -f",
  ].join("\n");
}

/** The init script without encryption or JMX (the shape every stack shared before). */
export const CONFIG_INIT_SCRIPT = configInitScript();

/** Where the schema Job mounts its ConfigMap. */
export const SCHEMA_DIR = "/schema";

/** An application role as the schema Job script sees it. */
export interface SchemaJobRole {
  /** CQL role name. */
  readonly name: string;
  /** Environment variable holding its password (from the role's Secret). */
  readonly passwordEnv: string;
  /** GRANT/REVOKE statements, `;`-separated. */
  readonly grants: string;
}

/** What the schema Job does besides roles, as its script sees it. */
export interface SchemaJobOptions {
  /** Keyspaces whose replication the Job keeps as the union of the cluster's and the declared one. */
  readonly keyspaces?: readonly string[];
  /** Declared replication, `dc:rf` pairs separated by spaces (see {@link replicationPairs}). */
  readonly replication?: string;
  /** Data centres removed from every keyspace above (explicit; never by omission). */
  readonly removeDataCenters?: readonly string[];
  /** Connect with TLS (client encryption), verifying the server against $SSL_CERTFILE. */
  readonly tls?: boolean;
  /** Present the client certificate mounted at {@link CLIENT_TLS_DIR} (nodes require one). */
  readonly clientCert?: boolean;
}

/** `{ "us-east-1": 3, "eu-west-1": 3 }` → `"eu-west-1:3 us-east-1:3"` (stable order). */
export function replicationPairs(replication: Readonly<Record<string, number>>): string {
  return Object.keys(replication)
    .sort()
    .map((dc) => `${dc}:${replication[dc]}`)
    .join(" ");
}

/**
 * Shell that ALTERs a keyspace's replication to the union of what the cluster has now and what
 * this stack declares: a data centre another region added stays (with its factor) unless it is
 * in `removed`. The current map comes from system_schema (cqlsh prints it as
 * `{'class': '...', 'dc': 'rf', ...}`; SimpleStrategy's `replication_factor` is not a DC).
 */
function replicationLines(): string[] {
  return [
    'ensure_replication() { rh="$1"; ru="$2"; rp="$3"; ks="$4"',
    '  out="$(cql "$rh" "$ru" "$rp" -e "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = \'$ks\'")"',
    "  current=\"$(printf '%s\\n' \"$out\" | grep -o \"'[A-Za-z0-9_.-]*': '[0-9]*'\" | grep -v \"^'replication_factor'\" | tr -d \"' \" || true)\"",
    '  merged="$DECLARED_REPLICATION"',
    "  for pair in $current; do",
    '    dc="${pair%%:*}"',
    '    case " $DECLARED_REPLICATION " in *" $dc:"*) continue;; esac',
    '    case " $REMOVED_DATA_CENTERS " in *" $dc "*) echo "removing data centre $dc from $ks (removeDataCenters)"; continue;; esac',
    '    echo "keeping data centre $dc in $ks (not declared by this stack)"',
    '    merged="$merged $pair"',
    "  done",
    '  map=""',
    "  for pair in $merged; do map=\"$map, '${pair%%:*}': ${pair#*:}\"; done",
    "  cql \"$rh\" \"$ru\" \"$rp\" -e \"ALTER KEYSPACE $ks WITH replication = {'class': 'NetworkTopologyStrategy'$map}\"",
    '  echo "replication of $ks: {${map#, }}"',
    "}",
  ];
}

/**
 * Shell run by the schema Job (cqlsh from the Cassandra image). Credentials arrive only as env
 * from the Secrets; nothing here or in the ConfigMap holds them. `CQL_HOSTS` lists this data
 * centre's client Service first, then peer seeds: a data centre that just joined has no
 * replica of `system_auth` yet, so its first login may only succeed through a peer.
 *  1. wait until some host accepts the platform credentials; on a brand-new cluster (the local
 *     host still accepts the image's default `cassandra`/`cassandra`): replicate the system
 *     keyspaces across data centres and create the platform superuser;
 *  2. while the default `cassandra`/`cassandra` login still works (checked on every run), demote
 *     that superuser and lock it with a random password, as the platform user;
 *  3. replication of the system keyspaces, then schema.cql (CREATE IF NOT EXISTS, ALTER TABLE
 *     for the TTL), then the application keyspaces' replication. Replication never shrinks by
 *     accident: each keyspace gets the union of its current data centres and the declared ones
 *     (a founder's re-run keeps the regions that joined later); only `removeDataCenters` drops one;
 *  4. each application role: create it if missing, set its password when its login fails
 *     (first run, rotation, or a region that joined with the founder's password), grant its
 *     permissions on the keyspace.
 * `cqlsh -p` puts the password in this container's own process list only (no sidecar, no
 * shared process namespace); the password is alphanumeric, so it is safe inside CQL quotes.
 */
export function schemaJobScript(attempts: number, intervalSeconds: number, roles: readonly SchemaJobRole[] = [], opts: SchemaJobOptions = {}): string {
  const keyspaces = opts.keyspaces ?? [];
  const system = keyspaces.filter((k) => k.startsWith("system_"));
  const app = keyspaces.filter((k) => !k.startsWith("system_"));
  const ssl = opts.tls ? " --ssl" : "";
  const replicate = (who: string, list: readonly string[]) => list.map((ks) => `ensure_replication ${who} ${ks}`);
  const su = '"$host" "$CASSANDRA_USERNAME" "$CASSANDRA_PASSWORD"';
  return [
    "set -eu",
    "export HOME=/tmp # cqlsh keeps its history under $HOME/.cassandra",
    ...(opts.tls ? ["export SSL_VALIDATE=true # verify the server against $SSL_CERTFILE (the cluster CA)"] : []),
    ...clientCertLines(opts.clientCert),
    `DECLARED_REPLICATION="${opts.replication ?? ""}"`,
    `REMOVED_DATA_CENTERS="${(opts.removeDataCenters ?? []).join(" ")}"`,
    `cql() { h="$1"; u="$2"; p="$3"; shift 3; cqlsh "$h" 9042${ssl} --request-timeout=60 -u "$u" -p "$p" "$@"; }`,
    'answers() { cql "$1" "$2" "$3" -e "SELECT release_version FROM system.local" >/dev/null 2>&1; }',
    ...replicationLines(),
    'local_host="${CQL_HOSTS%% *}"',
    'host=""',
    "i=0",
    'while [ -z "$host" ]; do',
    '  for h in $CQL_HOSTS; do',
    '    if answers "$h" "$CASSANDRA_USERNAME" "$CASSANDRA_PASSWORD"; then host="$h"; break; fi',
    "  done",
    '  if [ -n "$host" ]; then break; fi',
    '  if answers "$local_host" cassandra cassandra; then',
    '    echo "new cluster: creating the platform superuser"',
    ...replicate('"$local_host" cassandra cassandra', system).map((l) => `    ${l}`),
    `    cql "$local_host" cassandra cassandra -e "CREATE ROLE IF NOT EXISTS $CASSANDRA_USERNAME WITH PASSWORD = '$CASSANDRA_PASSWORD' AND SUPERUSER = true AND LOGIN = true"`,
    "    continue",
    "  fi",
    "  i=$((i + 1))",
    `  if [ "$i" -ge ${attempts} ]; then echo "no Cassandra host in [$CQL_HOSTS] accepted CQL after ${attempts} attempts" >&2; exit 1; fi`,
    `  echo "waiting for Cassandra ($i/${attempts})"`,
    `  sleep ${intervalSeconds}`,
    "done",
    'echo "applying the schema through $host"',
    // Checked on every run, not only right after bootstrap: a run that died just after CREATE
    // ROLE must not leave the well-known default superuser usable. Only then changed: Cassandra
    // 5 refuses a second password change of a role within 5 s (a quick Job retry would fail).
    'if answers "$host" cassandra cassandra; then',
    '  echo "locking the default superuser"',
    '  locked="$(od -An -tx1 -N24 /dev/urandom | tr -d " \\n")"',
    `  cql ${su} -e "ALTER ROLE cassandra WITH PASSWORD = '$locked' AND SUPERUSER = false AND LOGIN = false"`,
    "fi",
    ...replicate(su, system),
    `cql ${su} -f ${SCHEMA_DIR}/schema.cql`,
    ...replicate(su, app),
    'echo "schema applied"',
    ...(roles.length ? appRoleLines(roles) : []),
  ].join("\n");
}

/** Step 4: one `ensure_role` per application role (as the platform superuser). */
function appRoleLines(roles: readonly SchemaJobRole[]): string[] {
  const su = '"$host" "$CASSANDRA_USERNAME" "$CASSANDRA_PASSWORD"';
  return [
    // sh functions share one variable scope: cql() sets h/u/p, so ensure_role keeps its own names.
    'ensure_role() { role_name="$1"; role_password="$2"; role_grants="$3"',
    `  cql ${su} -e "CREATE ROLE IF NOT EXISTS $role_name WITH PASSWORD = '$role_password' AND LOGIN = true AND SUPERUSER = false"`,
    // A password change only when needed: Cassandra 5 refuses two within 5 s.
    '  if ! answers "$host" "$role_name" "$role_password"; then',
    '    echo "setting the password of role $role_name"',
    `    cql ${su} -e "ALTER ROLE $role_name WITH PASSWORD = '$role_password' AND LOGIN = true AND SUPERUSER = false"`,
    "  fi",
    `  cql ${su} -e "$role_grants"`,
    '  echo "role $role_name ready"',
    "}",
    ...roles.map((r) => `ensure_role ${r.name} "$${r.passwordEnv}" "${r.grants}"`),
  ];
}

/** Keyspace of the platform's own bookkeeping (which nodes were rebuilt), replicated like the app's. */
export const OPS_KEYSPACE = "platform_ops";
/** JMX port the pods open for nodetool (the image's default). */
export const JMX_PORT = 7199;

/**
 * Shell run by the rebuild Job of a data centre that joined an existing cluster: its nodes own
 * token ranges but hold no data (and no `system_auth` rows, so local logins fail) until each
 * runs `nodetool rebuild -- <source DC>`. Once per node: a node is skipped when
 * `platform_ops.rebuilds` records it (by host ID, so a replaced node with a new ID is rebuilt),
 * and recorded only after its rebuild succeeded, so a retried Job resumes where it stopped.
 * nodetool logs in over remote JMX with the JMX credentials (a password file written by the
 * pods' init container: JMX logins must not depend on `system_auth`, which is what is missing).
 * The marker is read and written through any host that accepts the platform login (a peer's
 * seed before the rebuild), at QUORUM so both data centres agree.
 */
export function rebuildJobScript(attempts: number, intervalSeconds: number, opts: { tls?: boolean; clientCert?: boolean } = {}): string {
  const ssl = opts.tls ? " --ssl" : "";
  const su = '"$host" "$CASSANDRA_USERNAME" "$CASSANDRA_PASSWORD"';
  return [
    "set -eu",
    "export HOME=/tmp",
    ...(opts.tls ? ["export SSL_VALIDATE=true"] : []),
    ...clientCertLines(opts.clientCert),
    `cql() { h="$1"; u="$2"; p="$3"; shift 3; cqlsh "$h" 9042${ssl} --request-timeout=60 -u "$u" -p "$p" "$@"; }`,
    'answers() { cql "$1" "$2" "$3" -e "SELECT release_version FROM system.local" >/dev/null 2>&1; }',
    `nt() { n="$1"; shift; nodetool -h "$n" -p ${JMX_PORT} -u "$JMX_USERNAME" -pw "$JMX_PASSWORD" "$@"; }`,
    'host=""',
    "i=0",
    'until [ -n "$host" ]; do',
    '  for h in $CQL_HOSTS; do if answers "$h" "$CASSANDRA_USERNAME" "$CASSANDRA_PASSWORD"; then host="$h"; break; fi; done',
    '  [ -n "$host" ] && break',
    "  i=$((i + 1))",
    `  if [ "$i" -ge ${attempts} ]; then echo "no Cassandra host in [$CQL_HOSTS] accepted CQL after ${attempts} attempts" >&2; exit 1; fi`,
    `  sleep ${intervalSeconds}`,
    "done",
    "for node in $REBUILD_NODES; do",
    "  i=0",
    '  until id="$(nt "$node" info 2>/dev/null | sed -n \'s/^ID[[:space:]]*: *//p\')" && [ -n "$id" ]; do',
    "    i=$((i + 1))",
    `    if [ "$i" -ge ${attempts} ]; then echo "nodetool on $node did not answer after ${attempts} attempts" >&2; exit 1; fi`,
    `    echo "waiting for JMX on $node ($i/${attempts})"`,
    `    sleep ${intervalSeconds}`,
    "  done",
    `  if cql ${su} -e "CONSISTENCY QUORUM; SELECT host_id FROM ${OPS_KEYSPACE}.rebuilds WHERE data_center = '$DATA_CENTER' AND host_id = $id" | grep -q "$id"; then`,
    '    echo "node $node ($id) already rebuilt"',
    "    continue",
    "  fi",
    '  echo "rebuilding node $node ($id) from data centre $SOURCE_DATA_CENTER"',
    '  nt "$node" rebuild -- "$SOURCE_DATA_CENTER"',
    `  cql ${su} -e "CONSISTENCY QUORUM; INSERT INTO ${OPS_KEYSPACE}.rebuilds (data_center, host_id, source_data_center, finished) VALUES ('$DATA_CENTER', $id, '$SOURCE_DATA_CENTER', toTimestamp(now()))"`,
    '  echo "node $node rebuilt"',
    "done",
    'echo "data centre $DATA_CENTER rebuilt from $SOURCE_DATA_CENTER"',
  ].join("\n");
}
