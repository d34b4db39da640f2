import pino, { type DestinationStream, type Logger } from "pino";
import type { Counter } from "prom-client";

/** Longest value written for any log field; longer strings are cut and marked with `…`. */
export const LOG_VALUE_MAX = 512;

/** The log schema: short field names, one `logType` per kind of event (alert rules count these). */
export interface GatewayLogFields {
  logType: string;
  reqId?: string;
  reqPath?: string;
  reqMethod?: string;
  reqCostTime?: number;
  route?: string;
  status?: number;
  errStatus?: number;
  errMsg?: string;
  cacheType?: "l1" | "l2" | "stale" | "miss" | "refresh" | "bypass";
  cacheKey?: string;
  content?: string;
  [extra: string]: unknown;
}

export function capValue(value: unknown, max = LOG_VALUE_MAX): unknown {
  if (typeof value === "string") return value.length > max ? `${value.slice(0, max)}…` : value;
  if (value !== null && typeof value === "object") {
    const clean = sanitize(value);
    const text = JSON.stringify(clean);
    return text.length > max ? `${text.slice(0, max)}…` : clean;
  }
  return value;
}

/**
 * Field names that must never reach a log line, whatever a caller passes in (compared lower-cased).
 * Headers are never logged as a whole; this list is the second line of defence.
 */
const DROPPED_FIELDS = new Set([
  "authorization", "proxy-authorization", "cookie", "set-cookie", "setcookie", "password", "secret",
  "token", "headers", "redispassword", "jwtsecret", "key",
]);
/** The schema's own field names: known safe, so the hot path skips the secret-name check for them. */
const SCHEMA_FIELDS = new Set([
  "logType", "reqId", "reqPath", "reqMethod", "reqCostTime", "route", "status", "errStatus", "errMsg",
  "cacheType", "cacheKey", "content",
]);

/** Copy of a nested value (e.g. a config dump) without the dropped fields, at any depth. */
function sanitize(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!DROPPED_FIELDS.has(k.toLowerCase())) out[k] = sanitize(v, depth + 1);
  return out;
}

export interface GatewayLogger {
  info(fields: GatewayLogFields): void;
  warn(fields: GatewayLogFields): void;
  error(fields: GatewayLogFields): void;
  debug(fields: GatewayLogFields): void;
  readonly pino: Logger;
}

export function createLogger(opts: {
  level: string;
  region: string;
  stage: string;
  destination?: DestinationStream;
  logTypeCounter?: Counter<"logType">;
}): GatewayLogger {
  const base = pino(
    {
      level: opts.level,
      base: { region: opts.region, stage: opts.stage },
      messageKey: "content",
      // Epoch milliseconds: an ISO string costs a Date formatting on every line of the hot path.
      timestamp: pino.stdTimeFunctions.epochTime,
      formatters: { level: (label) => ({ logLevel: label }) },
    },
    // Async and batched (4 KiB): far fewer write syscalls per request; flushed by stop() and on exit.
    opts.destination ?? pino.destination({ fd: 1, sync: false, minLength: 4096 }),
  );
  const emit = (level: "info" | "warn" | "error" | "debug") => (fields: GatewayLogFields) => {
    if (!base.isLevelEnabled(level)) return;
    opts.logTypeCounter?.inc({ logType: fields.logType });
    const capped: Record<string, unknown> = {};
    for (const key in fields) {
      const v = fields[key];
      if (v === undefined) continue;
      if (!SCHEMA_FIELDS.has(key) && DROPPED_FIELDS.has(key.toLowerCase())) continue;
      capped[key] = typeof v === "string" ? (v.length > LOG_VALUE_MAX ? `${v.slice(0, LOG_VALUE_MAX)}…` : v) : capValue(v);
    }
    base[level](capped);
  };
  return { info: emit("info"), warn: emit("warn"), error: emit("error"), debug: emit("debug"), pino: base };
}
