/**
 * Shell run by the `config` init container (same image as Cassandra): copies the image's
 * /etc/cassandra into a writable emptyDir, because the root filesystem is read-only and the
 * official entrypoint edits cassandra.yaml / cassandra-rackdc.properties in place (seeds,
 * addresses, DC, rack). It also switches on authentication: the image has no environment
 * variable for it, and the word swap works for both the 4.x (`authenticator: X`) and the 5.x
 * (`authenticator: class_name: ...X`) layouts. It fails loudly rather than start without auth.
 */
export const CONFIG_INIT_SCRIPT = [
  "set -eu",
  "cp -a /etc/cassandra/. /config/",
  "sed -i -E '/^[[:space:]]*#/!s/AllowAllAuthenticator/PasswordAuthenticator/; /^[[:space:]]*#/!s/AllowAllAuthorizer/CassandraAuthorizer/' /config/cassandra.yaml",
  "grep -Eq '^[^#]*PasswordAuthenticator' /config/cassandra.yaml || { echo 'could not enable PasswordAuthenticator' >&2; exit 1; }",
  "grep -Eq '^[^#]*CassandraAuthorizer' /config/cassandra.yaml || { echo 'could not enable CassandraAuthorizer' >&2; exit 1; }",
].join("\n");

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
 *  3. apply system.cql and schema.cql (idempotent: CREATE IF NOT EXISTS + ALTER replication);
 *  4. each application role: create it if missing, set its password when its login fails
 *     (first run, rotation, or a region that joined with the founder's password), grant its
 *     permissions on the keyspace.
 * `cqlsh -p` puts the password in this container's own process list only (no sidecar, no
 * shared process namespace); the password is alphanumeric, so it is safe inside CQL quotes.
 */
export function schemaJobScript(attempts: number, intervalSeconds: number, roles: readonly SchemaJobRole[] = []): string {
  return [
    "set -eu",
    "export HOME=/tmp # cqlsh keeps its history under $HOME/.cassandra",
    'cql() { h="$1"; u="$2"; p="$3"; shift 3; cqlsh "$h" 9042 --request-timeout=60 -u "$u" -p "$p" "$@"; }',
    'answers() { cql "$1" "$2" "$3" -e "SELECT release_version FROM system.local" >/dev/null 2>&1; }',
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
    `    cql "$local_host" cassandra cassandra -f ${SCHEMA_DIR}/system.cql`,
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
    `  cql "$host" "$CASSANDRA_USERNAME" "$CASSANDRA_PASSWORD" -e "ALTER ROLE cassandra WITH PASSWORD = '$locked' AND SUPERUSER = false AND LOGIN = false"`,
    "fi",
    `cql "$host" "$CASSANDRA_USERNAME" "$CASSANDRA_PASSWORD" -f ${SCHEMA_DIR}/system.cql`,
    `cql "$host" "$CASSANDRA_USERNAME" "$CASSANDRA_PASSWORD" -f ${SCHEMA_DIR}/schema.cql`,
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
