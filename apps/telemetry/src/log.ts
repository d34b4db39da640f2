import { pino, type Logger } from "pino";

/**
 * JSON logs. Redaction is a safety net: the code never logs config or credentials whole
 * (see describeConfig), but a future `log.info({ config })` must still not leak secrets.
 */
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level: process.env["LOG_LEVEL"] ?? "info",
    base: { app: "telemetry", ...bindings },
    redact: {
      paths: ["password", "*.password", "*.*.password", "credentials", "*.credentials", "*.*.credentials", "headers.authorization", "tlsClientCert", "*.tlsClientCert", "key", "*.key"],
      censor: "[redacted]",
    },
  });
}

export type { Logger };
