/**
 * The gateway's dev configuration: the `.env` the local stack's ConfigMap would hold (same
 * renderer, same default route table), pointed at localhost, plus an HS256 key generated per
 * state directory and a dev token signed with it. Nothing here is a real secret: the key never
 * leaves the (git-ignored) state directory.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT } from "jose";
import { GATEWAY_ENV } from "../../apps/gateway/src/config/keys";
import { defaultGatewayRoutes, gatewayEnvValues, renderEnvFile } from "../../components/gateway/env-file";
import type { DevPorts } from "./config";

export const DEV_JWT = { algorithm: "HS256", issuer: "platform-dev", audience: "telemetry-api", subject: "dev-user" } as const;

/**
 * `.env` text for the gateway. The upstream carries the path `/api` so `/api/telemetry/query`
 * reaches the telemetry server as `/api/query` (the gateway replaces the prefix, nginx-style).
 */
export function devGatewayEnvFile(ports: DevPorts): string {
  const values = gatewayEnvValues({
    region: "local",
    stage: "local",
    port: ports.gateway,
    logLevel: "info",
    routes: defaultGatewayRoutes(`http://127.0.0.1:${ports.telemetry}`),
    jwt: DEV_JWT,
    redis: { host: "127.0.0.1", port: ports.redis, tls: false },
    upstreamTimeoutMs: 10_000,
    cacheL1MaxBytes: 16 * 1024 * 1024,
  });
  return renderEnvFile(values as Record<string, string>);
}

export interface DevGatewayFiles {
  readonly envFile: string;
  readonly keyFile: string;
  readonly tokenFile: string;
  /** Key the gateway signs the caller's subject with (`x-platform-subject`); the telemetry roles verify it. */
  readonly subjectKey: string;
  /** Environment for the gateway process (the env file path and the key path override). */
  readonly env: Record<string, string>;
}

/**
 * Writes the env file, the JWT and subject-signing keys (kept across runs) and a fresh 12 h
 * token into `stateDir` (mode 0600).
 */
export async function writeDevGatewayFiles(stateDir: string, ports: DevPorts): Promise<DevGatewayFiles> {
  const envFile = join(stateDir, "gateway.env");
  const keyFile = join(stateDir, "jwt-key");
  const tokenFile = join(stateDir, "token");
  const subjectKeyFile = join(stateDir, "subject-key");
  writeFileSync(envFile, devGatewayEnvFile(ports));
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString("base64url"), { mode: 0o600 });
  if (!existsSync(subjectKeyFile)) writeFileSync(subjectKeyFile, randomBytes(32).toString("base64url"), { mode: 0o600 });
  const key = new TextEncoder().encode(readFileSync(keyFile, "utf8").trim());
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: DEV_JWT.algorithm })
    .setSubject(DEV_JWT.subject)
    .setIssuer(DEV_JWT.issuer)
    .setAudience(DEV_JWT.audience)
    .setIssuedAt()
    .setExpirationTime("12h")
    .sign(key);
  writeFileSync(tokenFile, token, { mode: 0o600 });
  return {
    envFile,
    keyFile,
    tokenFile,
    subjectKey: readFileSync(subjectKeyFile, "utf8").trim(),
    env: { [GATEWAY_ENV.envFile]: envFile, [GATEWAY_ENV.jwtKeyFile]: keyFile, [GATEWAY_ENV.subjectKeyFile]: subjectKeyFile },
  };
}
