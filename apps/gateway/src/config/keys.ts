/**
 * The contract between the gateway app and the Gateway component: every environment key the
 * app reads. The component imports these names to build the ConfigMap `.env` and the Secret
 * references, so renaming a key here breaks the type check, not production.
 */
export const GATEWAY_ENV = {
  /** Path of the mounted `.env` file (ConfigMap). */
  envFile: "GATEWAY_ENV_FILE",
  port: "PORT",
  region: "REGION",
  stage: "STAGE",
  /** JSON array of {@link GatewayRoute}. */
  routes: "ROUTES",
  logLevel: "LOG_LEVEL",
  jwtAlgorithm: "JWT_ALG",
  jwtIssuer: "JWT_ISSUER",
  jwtAudience: "JWT_AUDIENCE",
  /** Path of the mounted key file (Secret): HS secret, PEM public key or JWKS JSON. */
  jwtKeyFile: "JWT_KEY_FILE",
  redisHost: "REDIS_HOST",
  redisPort: "REDIS_PORT",
  redisTls: "REDIS_TLS",
  /** Secret: injected from a Kubernetes Secret, never written to the ConfigMap. */
  redisPassword: "REDIS_PASSWORD",
  upstreamTimeoutMs: "UPSTREAM_TIMEOUT_MS",
  /** Redis command timeout; past it the request degrades to level 1 + upstream. */
  redisTimeoutMs: "REDIS_TIMEOUT_MS",
  /** Level-1 (in-process LRU) capacity, in entries and in body bytes. */
  cacheL1MaxEntries: "CACHE_L1_MAX_ENTRIES",
  cacheL1MaxBytes: "CACHE_L1_MAX_BYTES",
  /** Cap on an upstream body read by a `buffered` route. */
  maxBufferedBytes: "MAX_BUFFERED_BYTES",
  /** Keep-alive connections per upstream pool. */
  upstreamConnections: "UPSTREAM_CONNECTIONS",
  /**
   * Comma-separated IPs/CIDRs of the proxy hops in front of the gateway (the ingress) whose
   * `X-Forwarded-*` values are believed; from anyone else they are replaced.
   */
  trustedProxies: "TRUSTED_PROXIES",
  /** Path of a mounted key (Secret, ≥ 32 bytes) that signs the verified subject for upstreams. */
  subjectKeyFile: "SUBJECT_KEY_FILE",
  /**
   * The stack's public host. When set, a request for any other Host is a custom domain: it must
   * be in CUSTOM_DOMAINS and verified (dns-cache's Redis record, else a local lookup), or 421.
   */
  publicHost: "PUBLIC_HOST",
  /** JSON `{ "<domain>": "<tenant>" }` (same key and format as dns-cache's). */
  customDomains: "CUSTOM_DOMAINS",
  /** Resolvers for the local fallback lookup, `host[:port]` comma-separated; empty = resolv.conf. */
  dnsServers: "DNS_SERVERS",
  /** Timeout of one fallback query (one try): the request waits at most about this long. */
  dnsTimeoutMs: "DNS_TIMEOUT_MS",
} as const;

export type GatewayEnvKey = (typeof GATEWAY_ENV)[keyof typeof GATEWAY_ENV];

/** Keys whose values are secrets: only ever set from a Secret reference. */
export const GATEWAY_SECRET_ENV: readonly GatewayEnvKey[] = [GATEWAY_ENV.redisPassword];

/** Default path of the mounted `.env` and of the JWT key inside the pod. */
export const GATEWAY_ENV_FILE_PATH = "/etc/gateway/gateway.env";
export const GATEWAY_JWT_KEY_PATH = "/etc/gateway/jwt/key";

/** One entry of the route table: path prefix to upstream. */
export interface GatewayRoute {
  /** Path prefix, e.g. `/api/telemetry`. */
  prefix: string;
  /** Upstream base URL, e.g. `http://telemetry.platform.svc.cluster.local`. */
  upstream: string;
  /** `stream` pipes bodies; `buffered` reads the body (size-capped) so it can be cached. */
  kind: "stream" | "buffered";
  /** Whether a valid JWT is required. */
  auth: boolean;
  /** Cache TTL for GET responses; absent or 0 means not cached. */
  cacheTtlSeconds?: number;
  /** How long past the TTL a stale copy may be served while it is refreshed. */
  staleSeconds?: number;
  /** Vary the cache key by the JWT subject. */
  perUser?: boolean;
}

/**
 * Signature algorithms a deployment may pin (one per deployment). Here, with no dependencies,
 * so the Vercel functions verify the same tokens without bundling the gateway's config loader.
 */
export const JWT_ALGORITHMS = [
  "HS256", "HS384", "HS512",
  "RS256", "RS384", "RS512",
  "PS256", "PS384", "PS512",
  "ES256", "ES384", "ES512",
  "EdDSA",
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
