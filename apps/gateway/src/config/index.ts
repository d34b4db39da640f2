import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { parse as parseDotenv } from "dotenv";
import { z } from "zod";
import { jsonEnv } from "../../../dns-cache/src/shared/json-env.js";
import { DOMAIN_NAME } from "../../../dns-cache/src/shared/record.js";
import { domainsJson } from "../../../dns-cache/src/shared/registry.js";
import {
  GATEWAY_ENV,
  GATEWAY_ENV_FILE_PATH,
  GATEWAY_JWT_KEY_PATH,
  GATEWAY_SECRET_ENV,
  JWT_ALGORITHMS,
  type GatewayRoute,
  type JwtAlgorithm,
} from "./keys.js";

export * from "./keys.js";

/** `addr` or `addr/prefix` (IPv4 or IPv6), as `[address, prefix, family]`; undefined when invalid. */
export function parseCidr(text: string): [string, number, "ipv4" | "ipv6"] | undefined {
  const [addr, bits, extra] = text.split("/");
  if (extra !== undefined || !addr) return undefined;
  const family = isIP(addr);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return [addr, prefix, family === 4 ? "ipv4" : "ipv6"];
}


export interface GatewayConfig {
  port: number;
  region: string;
  stage: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Sorted longest prefix first, so the first match is the most specific. */
  routes: GatewayRoute[];
  /** Present when at least one route requires auth. */
  jwt?: { algorithm: JwtAlgorithm; issuer: string; audience: string; keyFile: string };
  /** Absent when REDIS_HOST is unset: level 1 only. */
  redis?: { host: string; port: number; tls: boolean; password?: string; timeoutMs: number };
  upstreamTimeoutMs: number;
  upstreamConnections: number;
  cache: { l1MaxEntries: number; l1MaxBytes: number };
  maxBufferedBytes: number;
  /** Proxy hops (IP or CIDR, normalised) whose X-Forwarded-* headers are believed. */
  trustedProxies: string[];
  /** Key file that signs the verified subject into `x-platform-subject`; absent: not sent. */
  subjectKeyFile?: string;
  /** Custom domains → tenants; absent when PUBLIC_HOST is unset (every Host is served as before). */
  customDomains?: { publicHost: string; domains: Record<string, string>; dnsServers: string[]; dnsTimeoutMs: number };
}

/** Thrown by {@link loadGatewayConfig}; `problems` lists every invalid key, one line each. */
export class GatewayConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid gateway config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "GatewayConfigError";
  }
}

const E = GATEWAY_ENV;
/** `KEY=` (empty) in a .env means unset. */
const opt = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" ? undefined : v), schema.optional());
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const routeSchema = z
  .object({
    prefix: z
      .string()
      .regex(/^\/[A-Za-z0-9._~\-/]*$/, "must start with / and hold only path characters")
      .refine((p) => p === "/" || !p.endsWith("/"), "must not end with / (except the root /)"),
    upstream: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .refine((u) => {
        const url = new URL(u);
        return !url.search && !url.hash && !url.username && !url.password;
      }, "must not carry a query, fragment or credentials"),
    kind: z.enum(["stream", "buffered"]),
    auth: z.boolean(),
    cacheTtlSeconds: z.number().int().min(0).max(86_400).optional(),
    staleSeconds: z.number().int().min(0).max(86_400).optional(),
    perUser: z.boolean().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.perUser && !r.auth) {
      ctx.addIssue({ code: "custom", path: ["perUser"], message: "perUser needs auth: true (the key varies by JWT subject)" });
    }
    if ((r.cacheTtlSeconds ?? 0) > 0 && r.kind !== "buffered") {
      ctx.addIssue({ code: "custom", path: ["cacheTtlSeconds"], message: "only buffered routes can be cached" });
    }
    if ((r.staleSeconds ?? 0) > 0 && !((r.cacheTtlSeconds ?? 0) > 0)) {
      ctx.addIssue({ code: "custom", path: ["staleSeconds"], message: "staleSeconds needs cacheTtlSeconds > 0" });
    }
  });

const routesSchema = jsonEnv.pipe(
    z
      .array(routeSchema)
      .min(1, "needs at least one route")
      .superRefine((routes, ctx) => {
        const seen = new Set<string>();
        routes.forEach((r, i) => {
          if (seen.has(r.prefix)) ctx.addIssue({ code: "custom", path: [i, "prefix"], message: `duplicate prefix ${r.prefix}` });
          seen.add(r.prefix);
        });
      }),
  );

const envSchema = z
  .object({
    [E.port]: opt(int(1, 65_535)).default(8080),
    [E.region]: z.string().regex(/^[a-z0-9-]+$/, "must be a region name such as eu-west-1"),
    [E.stage]: z.string().regex(/^[a-z0-9-]+$/, "must be a stage name such as dev or prod"),
    [E.routes]: routesSchema,
    [E.logLevel]: opt(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])).default("info"),
    [E.jwtAlgorithm]: opt(z.enum(JWT_ALGORITHMS)),
    [E.jwtIssuer]: opt(z.string().min(1)),
    [E.jwtAudience]: opt(z.string().min(1)),
    [E.jwtKeyFile]: opt(z.string().min(1)).default(GATEWAY_JWT_KEY_PATH),
    [E.redisHost]: opt(z.string().min(1)),
    [E.redisPort]: opt(int(1, 65_535)).default(6379),
    [E.redisTls]: opt(bool).default(false),
    [E.redisPassword]: opt(z.string()),
    [E.redisTimeoutMs]: opt(int(1, 60_000)).default(100),
    [E.upstreamTimeoutMs]: opt(int(1, 600_000)).default(10_000),
    [E.upstreamConnections]: opt(int(1, 10_000)).default(64),
    [E.cacheL1MaxEntries]: opt(int(1, 10_000_000)).default(10_000),
    [E.cacheL1MaxBytes]: opt(int(1024, 16 * 1024 ** 3)).default(64 * 1024 * 1024),
    [E.maxBufferedBytes]: opt(int(1, 1024 ** 3)).default(1024 * 1024),
    [E.trustedProxies]: opt(
      z
        .string()
        .transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean))
        .superRefine((list, ctx) => {
          for (const p of list) if (!parseCidr(p)) ctx.addIssue({ code: "custom", message: `${JSON.stringify(p)} is not an IP address or CIDR` });
        }),
    ).default([]),
    [E.subjectKeyFile]: opt(z.string().min(1)),
    [E.publicHost]: opt(z.string().regex(DOMAIN_NAME, "must be a lower-case domain name")),
    [E.customDomains]: opt(domainsJson).default({}),
    [E.dnsServers]: opt(z.string().transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean))).default([]),
    [E.dnsTimeoutMs]: opt(int(1, 10_000)).default(250),
  })
  .superRefine((env, ctx) => {
    const domains = env[E.customDomains] as Record<string, string>;
    if (Object.keys(domains).length > 0 && !env[E.publicHost]) {
      ctx.addIssue({ code: "custom", path: [E.customDomains], message: `needs ${E.publicHost} (the host the domains must point at)` });
    }
    if (Object.keys(domains).length > 0 && !env[E.subjectKeyFile]) {
      // The tenant header is signed with it; an unsigned one would be refused upstream.
      ctx.addIssue({ code: "custom", path: [E.customDomains], message: `needs ${E.subjectKeyFile} (the tenant header is signed with it)` });
    }
    if (env[E.publicHost] && domains[env[E.publicHost] as string]) {
      ctx.addIssue({ code: "custom", path: [E.customDomains], message: `must not list ${E.publicHost} itself` });
    }
    const routes = env[E.routes] as GatewayRoute[];
    if (routes.some((r) => r.auth)) {
      for (const key of [E.jwtAlgorithm, E.jwtIssuer, E.jwtAudience] as const) {
        if (env[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: "required when a route has auth: true" });
      }
    }
  });

function describeIssue(issue: z.core.$ZodIssue): string {
  const [head, ...rest] = issue.path;
  let where = String(head ?? "config");
  for (const p of rest) where += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  // Never echo a secret's value back (zod messages can quote the input).
  const message = GATEWAY_SECRET_ENV.includes(head as never) ? "invalid value" : issue.message;
  return `${where}: ${message}`;
}

/** Reads the mounted `.env` (GATEWAY_ENV_FILE or the default path); undefined when absent. */
export function readGatewayEnvFile(env: NodeJS.ProcessEnv): string | undefined {
  const path = env[E.envFile] || GATEWAY_ENV_FILE_PATH;
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" && !env[E.envFile]) return undefined;
    throw new GatewayConfigError([`${E.envFile}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
}

/**
 * Typed, validated gateway config. The `.env` text (ConfigMap) is parsed with dotenv, then the
 * environment overrides it key by key. Throws {@link GatewayConfigError} listing every problem.
 */
export function loadGatewayConfig(env: NodeJS.ProcessEnv, envFileText?: string): GatewayConfig {
  const fromFile = envFileText === undefined ? {} : parseDotenv(envFileText);
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const key of Object.values(E)) if (env[key] !== undefined) merged[key] = env[key];

  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) throw new GatewayConfigError(parsed.error.issues.map(describeIssue));
  const v = parsed.data;
  const routes = [...(v[E.routes] as GatewayRoute[])].sort((a, b) => b.prefix.length - a.prefix.length);
  const anyAuth = routes.some((r) => r.auth);
  return {
    port: v[E.port] as number,
    region: v[E.region] as string,
    stage: v[E.stage] as string,
    logLevel: v[E.logLevel] as GatewayConfig["logLevel"],
    routes,
    jwt: anyAuth
      ? {
          algorithm: v[E.jwtAlgorithm] as JwtAlgorithm,
          issuer: v[E.jwtIssuer] as string,
          audience: v[E.jwtAudience] as string,
          keyFile: v[E.jwtKeyFile] as string,
        }
      : undefined,
    redis: v[E.redisHost]
      ? {
          host: v[E.redisHost] as string,
          port: v[E.redisPort] as number,
          tls: v[E.redisTls] as boolean,
          password: v[E.redisPassword] as string | undefined,
          timeoutMs: v[E.redisTimeoutMs] as number,
        }
      : undefined,
    upstreamTimeoutMs: v[E.upstreamTimeoutMs] as number,
    upstreamConnections: v[E.upstreamConnections] as number,
    cache: { l1MaxEntries: v[E.cacheL1MaxEntries] as number, l1MaxBytes: v[E.cacheL1MaxBytes] as number },
    maxBufferedBytes: v[E.maxBufferedBytes] as number,
    trustedProxies: v[E.trustedProxies] as string[],
    subjectKeyFile: v[E.subjectKeyFile] as string | undefined,
    customDomains: v[E.publicHost]
      ? {
          publicHost: v[E.publicHost] as string,
          domains: v[E.customDomains] as Record<string, string>,
          dnsServers: v[E.dnsServers] as string[],
          dnsTimeoutMs: v[E.dnsTimeoutMs] as number,
        }
      : undefined,
  };
}

/** The config with secrets removed, for the start-up log line. */
export function redactedConfig(config: GatewayConfig): Record<string, unknown> {
  return {
    ...config,
    routes: config.routes.map((r) => r.prefix),
    redis: config.redis ? { ...config.redis, password: config.redis.password ? "[set]" : undefined } : undefined,
  };
}
