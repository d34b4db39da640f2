/**
 * The telemetry server's environment, keyed by the app's own key names: plain values for
 * settings, `secretKeyRef`s for the Cassandra credentials and the subject key. Pure.
 */
import { TELEMETRY_ENV, type TelemetryRole } from "../../apps/telemetry/src/config/keys";
import { sortedRecordJson } from "../shared/json-env";

/** App name shared by both roles (the mesh host Service selects on it alone). */
export const TELEMETRY_APP = "telemetry";

/**
 * The Cassandra login role each telemetry role runs as (least privilege): the query side only
 * reads; the command side (and the Vercel functions, which do both) reads and writes.
 */
export const TELEMETRY_CASSANDRA_ROLES = {
  command: { name: "telemetry_command", access: "readWrite" },
  query: { name: "telemetry_query", access: "read" },
} as const satisfies Record<TelemetryRole, { name: string; access: "read" | "readWrite" }>;

/** Port the telemetry server listens on. */
export const TELEMETRY_CONTAINER_PORT = 8080;

export interface TelemetryEnvSettings {
  readonly role: TelemetryRole;
  /** `host[:port]` entries. */
  readonly contactPoints: readonly string[];
  readonly cassandraPort: number;
  readonly dataCenter: string;
  readonly keyspace: string;
  readonly tls: boolean;
  /** TLS: name the nodes' certificates are verified against. */
  readonly tlsServerName?: string;
  /** TLS: file with the cluster CA, added to Node's trusted CAs (NODE_EXTRA_CA_CERTS). */
  readonly caFile?: string;
  /** Secret with the credentials, and its two entries. */
  readonly credentials: { readonly secretName: string; readonly usernameKey: string; readonly passwordKey: string };
  /** Secret (and entry) with the key that verifies the gateway's subject header; absent: not set. */
  readonly subjectKey?: { readonly secretName: string; readonly key: string };
  /** Each custom-domain tenant's source patterns (not secret); absent: not set (no tenant known). */
  readonly tenantSources?: Readonly<Record<string, readonly string[]>>;
  /** Secret (`tls.crt`, `tls.key`) with the client certificate for nodes that require one; absent: none presented. */
  readonly clientCertSecretName?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

export function telemetryEnv(s: TelemetryEnvSettings): EnvVar[] {
  const E = TELEMETRY_ENV;
  const ref = (key: string) => ({ secretKeyRef: { name: s.credentials.secretName, key } });
  return [
    { name: E.role, value: s.role },
    { name: E.port, value: String(TELEMETRY_CONTAINER_PORT) },
    { name: E.contactPoints, value: s.contactPoints.join(",") },
    { name: E.cassandraPort, value: String(s.cassandraPort) },
    { name: E.localDataCenter, value: s.dataCenter },
    { name: E.keyspace, value: s.keyspace },
    { name: E.tls, value: String(s.tls) },
    ...(s.tlsServerName ? [{ name: E.tlsServerName, value: s.tlsServerName }] : []),
    ...(s.caFile ? [{ name: "NODE_EXTRA_CA_CERTS", value: s.caFile }] : []),
    // Credentials only by reference: the values never appear in the Deployment spec.
    { name: E.username, valueFrom: ref(s.credentials.usernameKey) },
    { name: E.password, valueFrom: ref(s.credentials.passwordKey) },
    ...(s.subjectKey ? [{ name: E.subjectKey, valueFrom: { secretKeyRef: { name: s.subjectKey.secretName, key: s.subjectKey.key } } }] : []),
    ...(s.tenantSources ? [{ name: E.tenantSources, value: sortedRecordJson(s.tenantSources) }] : []),
    ...(s.clientCertSecretName
      ? [
          { name: E.tlsCert, valueFrom: { secretKeyRef: { name: s.clientCertSecretName, key: "tls.crt" } } },
          { name: E.tlsKey, valueFrom: { secretKeyRef: { name: s.clientCertSecretName, key: "tls.key" } } },
        ]
      : []),
  ];
}

/** Contact-point syntax the app accepts (`host[:port]`, IPv6 in brackets). */
export const CONTACT_POINT = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/;
