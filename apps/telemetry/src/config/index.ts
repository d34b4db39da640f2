import { z } from "zod";
import { compileTenantRegistry, tenantRegistryProblems, type TenantRegistry, type TenantSourcePatterns } from "../core/tenants.js";
import { TELEMETRY_ENV, type TelemetryRole } from "./keys.js";

export { TELEMETRY_ENV, TELEMETRY_SECRET_ENV, type TelemetryRole, type TelemetryEnvKey } from "./keys.js";

export interface ContactPoint {
  readonly host: string;
  readonly port: number;
}

export interface TelemetryConfig {
  readonly role: TelemetryRole;
  readonly port: number;
  readonly contactPoints: readonly string[];
  readonly cassandraPort: number;
  readonly localDataCenter: string;
  readonly keyspace: string;
  /** Present only when both username and password are set. Never log this object whole. */
  readonly credentials?: { readonly username: string; readonly password: string };
  readonly tls: boolean;
  /** Verifies the gateway's subject header; absent: the header is ignored. Never log it. */
  readonly subjectKey?: Buffer;
  /** Each tenant's sources (custom domains); empty: a request carrying a tenant is refused. */
  readonly tenants: TenantRegistry;
  /** Name the nodes' certificates are verified against instead of the dialled address. */
  readonly tlsServerName?: string;
  /** CA (PEM) the nodes must chain to; absent: the default trust store (+ NODE_EXTRA_CA_CERTS). */
  readonly tlsCa?: string;
  /** Client certificate and key (PEM) for mutual TLS; both or neither. Never log the key. */
  readonly tlsClientCert?: { readonly cert: string; readonly key: string };
  /** Every node is reached through the (single) contact point, a load balancer. */
  readonly viaLoadBalancer: boolean;
}

/** Thrown with every missing/invalid key in one message (key names only, never values). */
export class TelemetryConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid telemetry configuration: ${problems.join("; ")}`);
    this.name = "TelemetryConfigError";
  }
}

// Empty strings count as "not set": platforms often inject blank variables for optional keys.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

// Platforms store multi-line values either as they are or with `\n` escapes: accept both.
const pem = (begin: RegExp, what: string) =>
  optional(z.string().transform((s) => s.replaceAll("\\n", "\n").trim() + "\n").refine((s) => begin.test(s), `must be a PEM ${what}`));

const port = z.coerce.number().int().min(1).max(65535);
const hostPort = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/;

const envSchema = z.object({
  [TELEMETRY_ENV.role]: optional(z.enum(["command", "query"])).default("command"),
  [TELEMETRY_ENV.port]: optional(port).default(8080),
  [TELEMETRY_ENV.contactPoints]: z
    .string({ error: "is required (comma-separated host[:port] list)" })
    .transform((s) => s.split(",").map((p) => p.trim()).filter((p) => p.length > 0))
    .pipe(z.array(z.string().regex(hostPort, "each entry must be host[:port]")).min(1, "needs at least one host")),
  [TELEMETRY_ENV.cassandraPort]: optional(port).default(9042),
  [TELEMETRY_ENV.localDataCenter]: z.string({ error: "is required (the driver routes to the local data centre)" }).min(1),
  [TELEMETRY_ENV.keyspace]: optional(z.string().regex(/^[a-z][a-z0-9_]{0,47}$/, "must be a lower-case CQL identifier")).default(
    "telemetry",
  ),
  [TELEMETRY_ENV.username]: optional(z.string()),
  [TELEMETRY_ENV.password]: optional(z.string()),
  [TELEMETRY_ENV.tls]: optional(z.enum(["true", "false", "1", "0"], { error: "must be true or false" })).default("false"),
  [TELEMETRY_ENV.subjectKey]: optional(z.string().refine((k) => Buffer.byteLength(k.trim()) >= 32, "must be at least 32 bytes")),
  [TELEMETRY_ENV.tenantSources]: optional(
    z.string().transform((text, ctx) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: `is not valid JSON (${(err as Error).message})` });
        return z.NEVER;
      }
      for (const problem of tenantRegistryProblems(parsed)) ctx.addIssue({ code: "custom", message: problem });
      return parsed as TenantSourcePatterns;
    }),
  ),
  [TELEMETRY_ENV.tlsServerName]: optional(z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a DNS name")),
  [TELEMETRY_ENV.tlsCa]: pem(/-----BEGIN CERTIFICATE-----/, "certificate"),
  [TELEMETRY_ENV.tlsCert]: pem(/-----BEGIN CERTIFICATE-----/, "certificate"),
  // PKCS#8 (`BEGIN PRIVATE KEY`), or PKCS#1 / SEC1 (`BEGIN RSA PRIVATE KEY`, `BEGIN EC PRIVATE KEY`).
  [TELEMETRY_ENV.tlsKey]: pem(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "private key"),
  [TELEMETRY_ENV.viaLoadBalancer]: optional(z.enum(["true", "false", "1", "0"], { error: "must be true or false" })).default("false"),
});

/** Reads the app's configuration from the environment; throws TelemetryConfigError listing every problem. */
export function loadTelemetryConfig(env: NodeJS.ProcessEnv = process.env): TelemetryConfig {
  const input = Object.fromEntries(Object.values(TELEMETRY_ENV).map((k) => [k, env[k]]));
  const parsed = envSchema.safeParse(input);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? "environment");
      // Messages come from our schema; values are never echoed (some keys are secrets).
      const raw = input[key];
      const missing = raw === undefined || (typeof raw === "string" && raw.trim() === "");
      const message = missing ? "is required" : issue.code === "invalid_type" ? "must be a number" : issue.message;
      problems.push(`${key} ${message}`);
    }
  }
  const user = env[TELEMETRY_ENV.username]?.trim();
  const pass = env[TELEMETRY_ENV.password];
  if (user && !pass) problems.push(`${TELEMETRY_ENV.password} is required when ${TELEMETRY_ENV.username} is set`);
  if (!user && pass) problems.push(`${TELEMETRY_ENV.username} is required when ${TELEMETRY_ENV.password} is set`);
  const isSet = (k: string) => (env[k]?.trim() ?? "") !== "";
  if (isSet(TELEMETRY_ENV.tlsCert) !== isSet(TELEMETRY_ENV.tlsKey)) {
    problems.push(`${TELEMETRY_ENV.tlsCert} and ${TELEMETRY_ENV.tlsKey} must be set together (mutual TLS)`);
  }
  const tlsOn = ["true", "1"].includes(env[TELEMETRY_ENV.tls]?.trim() ?? "");
  for (const k of [TELEMETRY_ENV.tlsCa, TELEMETRY_ENV.tlsCert, TELEMETRY_ENV.tlsKey]) {
    if (isSet(k) && !tlsOn) problems.push(`${k} needs ${TELEMETRY_ENV.tls}=true`);
  }
  const lb = ["true", "1"].includes(env[TELEMETRY_ENV.viaLoadBalancer]?.trim() ?? "");
  if (lb && parsed.success && parsed.data[TELEMETRY_ENV.contactPoints].length !== 1) {
    problems.push(`${TELEMETRY_ENV.viaLoadBalancer} needs exactly one contact point (the load balancer)`);
  }
  if (isSet(TELEMETRY_ENV.tenantSources) && !isSet(TELEMETRY_ENV.subjectKey)) {
    problems.push(`${TELEMETRY_ENV.tenantSources} needs ${TELEMETRY_ENV.subjectKey} (the tenant header is verified with it)`);
  }
  if (problems.length > 0 || !parsed.success) throw new TelemetryConfigError(problems);

  const v = parsed.data;
  const subjectKey = v[TELEMETRY_ENV.subjectKey];
  const [cert, key] = [v[TELEMETRY_ENV.tlsCert], v[TELEMETRY_ENV.tlsKey]];
  return {
    role: v[TELEMETRY_ENV.role],
    port: v[TELEMETRY_ENV.port],
    contactPoints: v[TELEMETRY_ENV.contactPoints],
    cassandraPort: v[TELEMETRY_ENV.cassandraPort],
    localDataCenter: v[TELEMETRY_ENV.localDataCenter],
    keyspace: v[TELEMETRY_ENV.keyspace],
    credentials: user && pass ? { username: user, password: pass } : undefined,
    tls: v[TELEMETRY_ENV.tls] === "true" || v[TELEMETRY_ENV.tls] === "1",
    subjectKey: subjectKey ? Buffer.from(subjectKey.trim(), "utf8") : undefined,
    tenants: compileTenantRegistry(v[TELEMETRY_ENV.tenantSources] ?? {}),
    tlsServerName: v[TELEMETRY_ENV.tlsServerName],
    tlsCa: v[TELEMETRY_ENV.tlsCa],
    tlsClientCert: cert && key ? { cert, key } : undefined,
    viaLoadBalancer: v[TELEMETRY_ENV.viaLoadBalancer] === "true" || v[TELEMETRY_ENV.viaLoadBalancer] === "1",
  };
}

/** A loggable view of the config: credentials reduced to whether they are set. */
export function describeConfig(c: TelemetryConfig): Record<string, unknown> {
  return {
    role: c.role,
    port: c.port,
    contactPoints: c.contactPoints,
    cassandraPort: c.cassandraPort,
    localDataCenter: c.localDataCenter,
    keyspace: c.keyspace,
    auth: c.credentials ? "password" : "none",
    tls: c.tls,
    subjectKey: c.subjectKey ? "set" : "unset",
    tenants: [...c.tenants.keys()],
    tlsServerName: c.tlsServerName,
    tlsCa: c.tlsCa ? "set" : "unset",
    clientCertificate: c.tlsClientCert ? "set" : "unset",
    viaLoadBalancer: c.viaLoadBalancer,
  };
}
