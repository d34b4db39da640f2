/**
 * Renders the gateway's `.env` (ConfigMap) so that dotenv's parser (the one the app uses) reads
 * back exactly the values written. Pure; no secrets ever pass through here.
 */
import {
  GATEWAY_ENV,
  GATEWAY_ENV_FILE_PATH,
  GATEWAY_JWT_KEY_PATH,
  GATEWAY_SECRET_ENV,
  type GatewayEnvKey,
  type GatewayRoute,
} from "../../apps/gateway/src/config/keys";
import { TELEMETRY_API_PATH } from "../../apps/telemetry/src/config/keys";
import { sortedRecordJson } from "../shared/json-env";

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Safe without quotes: dotenv cuts an unquoted value at `#` and trims spaces, and a leading
// quote character would be read as a quoted value.
const BARE = /^[A-Za-z0-9_.,:/@+=%-]*$/;

/**
 * One dotenv value: bare when safe, else single-quoted (dotenv keeps it literally), else
 * backquoted when it holds a `'`. dotenv has no escape for a quote inside its own quotes and
 * expands `\n` only in double quotes, so a value with line breaks or all three quote kinds is
 * refused rather than silently changed.
 */
export function quoteEnvValue(value: string): string {
  if (/[\r\n\u2028\u2029]/.test(value)) throw new Error(`a .env value cannot hold a line break: ${JSON.stringify(value)}`);
  if (BARE.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes("`")) return `\`${value}\``;
  throw new Error(`a .env value cannot hold both ' and \`: ${JSON.stringify(value)}`);
}

/**
 * `KEY=value` lines, keys sorted (a stable text gives a stable hash). Throws on a secret key:
 * those come from Secret references, never from the ConfigMap.
 */
export function renderEnvFile(values: Readonly<Record<string, string>>): string {
  const keys = Object.keys(values).sort();
  for (const key of keys) {
    if (!KEY.test(key)) throw new Error(`not a valid .env key: ${JSON.stringify(key)}`);
    if ((GATEWAY_SECRET_ENV as readonly string[]).includes(key)) throw new Error(`${key} is a secret and must not be written to the .env ConfigMap`);
  }
  return keys.map((k) => `${k}=${quoteEnvValue(values[k])}`).join("\n") + "\n";
}

/**
 * The route table when none is given: the telemetry API behind JWT, reads cached briefly and
 * per user (a shared entry could hand one caller's data to another).
 */
export function defaultGatewayRoutes(telemetryOrigin: string): GatewayRoute[] {
  // The gateway replaces the route prefix by the upstream's path (nginx proxy_pass rules), so
  // `/api/telemetry/query` reaches the telemetry server's `/api/query`.
  const upstream = `${telemetryOrigin.replace(/\/+$/, "")}${TELEMETRY_API_PATH}`;
  return [{ prefix: "/api/telemetry", upstream, kind: "buffered", auth: true, cacheTtlSeconds: 5, staleSeconds: 30, perUser: true }];
}

/** Plain (already resolved) settings the `.env` is rendered from. */
export interface GatewayEnvSettings {
  readonly region: string;
  readonly stage: string;
  readonly port: number;
  readonly logLevel: string;
  readonly routes: readonly GatewayRoute[];
  readonly jwt?: { readonly algorithm: string; readonly issuer: string; readonly audience: string };
  readonly redis?: { readonly host: string; readonly port: number; readonly tls: boolean };
  readonly upstreamTimeoutMs: number;
  readonly cacheL1MaxBytes: number;
  /** Proxy hops whose X-Forwarded-* the app believes; empty or absent: none. */
  readonly trustedProxies?: readonly string[];
  /** Whether the subject-signing key is mounted (at `GATEWAY_PATHS.subjectKeyFile`). */
  readonly subjectSigning?: boolean;
  /** Custom domains: the public host, the registry and the fallback lookup's timeout. */
  readonly customDomains?: { readonly publicHost: string; readonly domains: Readonly<Record<string, string>>; readonly dnsTimeoutMs?: number };
}

/** The gateway's non-secret environment, keyed by the app's own key names. */
export function gatewayEnvValues(s: GatewayEnvSettings): Partial<Record<GatewayEnvKey, string>> {
  const E = GATEWAY_ENV;
  const values: Partial<Record<GatewayEnvKey, string>> = {
    [E.region]: s.region,
    [E.stage]: s.stage,
    [E.port]: String(s.port),
    [E.logLevel]: s.logLevel,
    [E.routes]: JSON.stringify(s.routes),
    [E.upstreamTimeoutMs]: String(s.upstreamTimeoutMs),
    [E.cacheL1MaxBytes]: String(s.cacheL1MaxBytes),
  };
  if (s.jwt) {
    values[E.jwtAlgorithm] = s.jwt.algorithm;
    values[E.jwtIssuer] = s.jwt.issuer;
    values[E.jwtAudience] = s.jwt.audience;
    values[E.jwtKeyFile] = GATEWAY_JWT_KEY_PATH;
  }
  if (s.trustedProxies?.length) values[E.trustedProxies] = s.trustedProxies.join(",");
  if (s.subjectSigning) values[E.subjectKeyFile] = GATEWAY_PATHS.subjectKeyFile;
  if (s.customDomains) {
    values[E.publicHost] = s.customDomains.publicHost;
    values[E.customDomains] = sortedRecordJson(s.customDomains.domains);
    if (s.customDomains.dnsTimeoutMs !== undefined) values[E.dnsTimeoutMs] = String(s.customDomains.dnsTimeoutMs);
  }
  if (s.redis) {
    values[E.redisHost] = s.redis.host;
    values[E.redisPort] = String(s.redis.port);
    values[E.redisTls] = String(s.redis.tls);
  }
  return values;
}

/** Where the ConfigMap's file and the JWT key land in the pod (the app's defaults). */
export const GATEWAY_PATHS = {
  envFile: GATEWAY_ENV_FILE_PATH,
  envFileName: GATEWAY_ENV_FILE_PATH.split("/").pop()!,
  jwtKeyDir: GATEWAY_JWT_KEY_PATH.slice(0, GATEWAY_JWT_KEY_PATH.lastIndexOf("/")),
  jwtKeyFileName: GATEWAY_JWT_KEY_PATH.split("/").pop()!,
  /** The subject-signing key (a Secret volume of its own, beside the JWT key's). */
  subjectKeyDir: "/etc/gateway/subject",
  subjectKeyFile: "/etc/gateway/subject/key",
  subjectKeyFileName: "key",
} as const;
