/**
 * The contract between the telemetry app and the components that deploy it (Kubernetes
 * command/query Deployments, Vercel functions): every environment key the app reads.
 */
export const TELEMETRY_ENV = {
  /** `command` or `query` (Kubernetes server only). */
  role: "TELEMETRY_ROLE",
  port: "PORT",
  /** Comma-separated host[:port] list. */
  contactPoints: "CASSANDRA_CONTACT_POINTS",
  cassandraPort: "CASSANDRA_PORT",
  localDataCenter: "CASSANDRA_LOCAL_DC",
  keyspace: "CASSANDRA_KEYSPACE",
  /** Secret. */
  username: "CASSANDRA_USERNAME",
  /** Secret. */
  password: "CASSANDRA_PASSWORD",
  /** `true` to connect with TLS. */
  tls: "CASSANDRA_TLS",
  /**
   * Secret: HMAC key (≥ 32 bytes) shared with the gateway, which signs the caller's verified
   * subject into `x-platform-subject`; Idempotency-Keys are then scoped by subject. Unset: the
   * header is ignored and every caller shares one (anonymous) scope.
   */
  subjectKey: "SUBJECT_KEY",
  /**
   * JSON `{"<tenant>": ["<source>", "<prefix>*", ...]}`: the sources a request on a tenant's
   * custom domain may ingest into and query (the gateway signs the tenant into
   * `x-platform-tenant` with SUBJECT_KEY, which it then needs). Unset: no tenant is known, so a
   * request carrying a tenant is refused; requests without one are unaffected.
   */
  tenantSources: "TENANT_SOURCES",
  /**
   * With TLS: the name every node's certificate must be valid for, whatever address the driver
   * dialled (nodes are discovered by IP; their certificate names the cluster's DNS names).
   */
  tlsServerName: "CASSANDRA_TLS_SERVER_NAME",
  /**
   * With TLS: the CA (PEM) the nodes' certificates must chain to, replacing the default trust
   * store. Where no file can be mounted (Vercel); elsewhere NODE_EXTRA_CA_CERTS does the same.
   */
  tlsCa: "CASSANDRA_TLS_CA",
  /** With TLS: the client certificate (PEM) for mutual TLS (`require_client_auth`). */
  tlsCert: "CASSANDRA_TLS_CERT",
  /** Secret: the client certificate's private key (PEM). */
  tlsKey: "CASSANDRA_TLS_KEY",
  /**
   * `true` when every node is reached through the one contact point (a load balancer, for
   * clients outside the cluster): the nodes' own addresses, learnt from system.peers, are
   * unreachable from there, so each is translated to the contact point.
   */
  viaLoadBalancer: "CASSANDRA_VIA_LOAD_BALANCER",
} as const;

export type TelemetryEnvKey = (typeof TELEMETRY_ENV)[keyof typeof TELEMETRY_ENV];

/** Keys whose values are secrets: Kubernetes Secret references / Vercel sensitive variables. */
export const TELEMETRY_SECRET_ENV: readonly TelemetryEnvKey[] = [
  TELEMETRY_ENV.username,
  TELEMETRY_ENV.password,
  TELEMETRY_ENV.subjectKey,
  TELEMETRY_ENV.tlsKey,
];

export type TelemetryRole = "command" | "query";

/** Path prefix of the HTTP API (`/api/ingest`, `/api/query`): the Vercel function paths, which
 * the Kubernetes server serves too, so the gateway can map its route prefix onto it. */
export const TELEMETRY_API_PATH = "/api";
