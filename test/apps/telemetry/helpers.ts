import { randomUUID } from "node:crypto";
import { clientOptions, createLazyClient, type LazyClient } from "../../../apps/telemetry/src/client.js";
import { loadTelemetryConfig, type TelemetryRole } from "../../../apps/telemetry/src/config/index.js";
import { createLogger } from "../../../apps/telemetry/src/log.js";
import { createTelemetryServer, type TelemetryServer } from "../../../apps/telemetry/src/server.js";
import { TEST_ENV } from "./env.js";

export const silentLog = createLogger();
silentLog.level = "silent";

export function testConfig(role: TelemetryRole = "command") {
  return loadTelemetryConfig({ ...TEST_ENV, TELEMETRY_ROLE: role, PORT: "8080" });
}

export function testClient(): LazyClient {
  return createLazyClient(() => clientOptions(testConfig()));
}

/** A source name no other test uses, so tests never see each other's rows. */
export function uniqueSource(prefix = "test"): string {
  return `${prefix}-${randomUUID()}`;
}

export interface Running {
  readonly app: TelemetryServer;
  readonly url: string;
}

export async function startServer(role: TelemetryRole = "command", client?: LazyClient): Promise<Running> {
  const app = createTelemetryServer({ config: testConfig(role), log: silentLog, client, defaultMetrics: false });
  const port = await app.listen(0, "127.0.0.1");
  return { app, url: `http://127.0.0.1:${port}` };
}

export interface TestEvent {
  level: "info" | "warn" | "error";
  message: string;
  source: string;
  timestamp?: string | number;
  metadata?: Record<string, string>;
}

export async function ingest(url: string, events: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(events),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

export interface QueryBody {
  events: { id: string; source: string; level: string; message: string; timestamp: string; metadata: Record<string, string> }[];
  next: string | null;
  error?: string;
}

export async function query(url: string, params: Record<string, string | number>) {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  const res = await fetch(`${url}/api/query?${qs}`);
  return { status: res.status, body: (await res.json()) as QueryBody };
}

/** Follows paging tokens to the end of a partition. */
export async function queryAll(url: string, params: Record<string, string | number>) {
  const all: QueryBody["events"] = [];
  let token: string | null = null;
  do {
    const r = await query(url, { ...params, ...(token ? { pageToken: token } : {}) });
    if (r.status !== 200) throw new Error(`query failed: ${r.status} ${JSON.stringify(r.body)}`);
    all.push(...r.body.events);
    token = r.body.next;
  } while (token);
  return all;
}
