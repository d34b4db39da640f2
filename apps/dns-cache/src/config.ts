import { z } from "zod";
import { DOMAIN_NAME } from "./shared/record.js";
import { domainsJson } from "./shared/registry.js";

/**
 * The contract between the dns-cache app and the component that deploys it: every environment
 * key the app reads (the component imports these names, so a rename breaks the type check).
 */
export const DNS_CACHE_ENV = {
  /** JSON object `{ "<domain>": "<tenant>" }`: the registry (from stack config). */
  domains: "CUSTOM_DOMAINS",
  /** The stack's public host the domains must point at. */
  publicHost: "PUBLIC_HOST",
  /** Comma-separated resolvers, `host` or `host:port`; empty = the pod's resolv.conf. */
  dnsServers: "DNS_SERVERS",
  /** Per-query timeout (one try). */
  dnsTimeoutMs: "DNS_TIMEOUT_MS",
  /** Seconds between the starts of two runs. */
  intervalSeconds: "INTERVAL_SECONDS",
  redisHost: "REDIS_HOST",
  redisPort: "REDIS_PORT",
  redisTls: "REDIS_TLS",
  /** Secret: from a Kubernetes Secret reference only. */
  redisPassword: "REDIS_PASSWORD",
  /** Port of /metrics, /healthz. */
  metricsPort: "METRICS_PORT",
  logLevel: "LOG_LEVEL",
} as const;

export const DNS_CACHE_METRICS_PORT = 9464;

export interface DnsCacheConfig {
  domains: Record<string, string>;
  publicHost: string;
  dnsServers: string[];
  dnsTimeoutMs: number;
  intervalSeconds: number;
  redis: { host: string; port: number; tls: boolean; password?: string };
  metricsPort: number;
  logLevel: string;
}

export class DnsCacheConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid dns-cache config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "DnsCacheConfigError";
  }
}

const E = DNS_CACHE_ENV;
const opt = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  [E.domains]: domainsJson,
  [E.publicHost]: z.string().regex(DOMAIN_NAME, "must be a lower-case domain name"),
  [E.dnsServers]: opt(z.string().transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean))).default([]),
  [E.dnsTimeoutMs]: opt(int(1, 30_000)).default(2000),
  [E.intervalSeconds]: opt(int(1, 86_400)).default(600),
  [E.redisHost]: z.string().min(1),
  [E.redisPort]: opt(int(1, 65_535)).default(6379),
  [E.redisTls]: opt(z.enum(["true", "false"]).transform((v) => v === "true")).default(false),
  [E.redisPassword]: opt(z.string()),
  [E.metricsPort]: opt(int(0, 65_535)).default(DNS_CACHE_METRICS_PORT),
  [E.logLevel]: opt(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])).default("info"),
});

/** Typed config from the environment; throws {@link DnsCacheConfigError} listing every problem. */
export function loadDnsCacheConfig(env: NodeJS.ProcessEnv): DnsCacheConfig {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.values(E)) input[key] = env[key];
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new DnsCacheConfigError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.path[0] === E.redisPassword ? "invalid value" : i.message}`),
    );
  }
  const v = parsed.data;
  return {
    domains: v[E.domains] as Record<string, string>,
    publicHost: v[E.publicHost] as string,
    dnsServers: v[E.dnsServers] as string[],
    dnsTimeoutMs: v[E.dnsTimeoutMs] as number,
    intervalSeconds: v[E.intervalSeconds] as number,
    redis: { host: v[E.redisHost] as string, port: v[E.redisPort] as number, tls: v[E.redisTls] as boolean, password: v[E.redisPassword] as string | undefined },
    metricsPort: v[E.metricsPort] as number,
    logLevel: v[E.logLevel] as string,
  };
}
