import type * as pulumi from "@pulumi/pulumi";

/**
 * What an application role may do in the keyspace. Neither may change the schema (the schema
 * Job does that as the platform superuser) or manage roles, and nothing is granted outside the
 * keyspace.
 */
export type AppRoleAccess = "read" | "readWrite";

export interface CassandraAppRoleArgs {
  /** CQL role name, a lower-case identifier (e.g. `telemetry_query`). */
  readonly name: string;
  /** `read`: SELECT; `readWrite`: SELECT and MODIFY (INSERT, UPDATE, DELETE, TRUNCATE). */
  readonly access: AppRoleAccess;
  /** Password shared by every DC of the cluster. @default - generated here (the founding region) */
  readonly password?: pulumi.Input<string>;
}

/** Granted, and revoked (so narrowing a role's access takes effect on the next deploy). */
const PERMISSIONS: Record<AppRoleAccess, { grant: readonly string[]; revoke: readonly string[] }> = {
  read: { grant: ["SELECT"], revoke: ["MODIFY"] },
  readWrite: { grant: ["SELECT", "MODIFY"], revoke: [] },
};

export const APP_ROLE_ACCESS: readonly AppRoleAccess[] = ["read", "readWrite"];

/** Kubernetes Secret of a role (`username`, `password`): `cassandra-role-<name, _ as ->`. */
export const appRoleSecretName = (role: string) => `cassandra-role-${role.replaceAll("_", "-")}`;

/** Environment variable the schema Job reads a role's password from. */
export const appRolePasswordEnv = (role: string) => `CASSANDRA_ROLE_${role.toUpperCase()}_PASSWORD`;

/** GRANT/REVOKE statements for a role on the keyspace, `;`-separated for one cqlsh `-e`. Idempotent. */
export function appRoleGrants(keyspace: string, role: { name: string; access: AppRoleAccess }): string {
  const p = PERMISSIONS[role.access];
  return [
    ...p.grant.map((perm) => `GRANT ${perm} ON KEYSPACE ${keyspace} TO ${role.name}`),
    ...p.revoke.map((perm) => `REVOKE ${perm} ON KEYSPACE ${keyspace} FROM ${role.name}`),
  ].join("; ");
}
