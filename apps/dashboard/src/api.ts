/**
 * The telemetry API as the browser sees it: same-origin paths under `VITE_API_BASE` (`/api` on
 * Vercel, `/api/telemetry` behind the gateway in `npm run dev`).
 */
import { queryString, type Filters, type Level, type TelemetryEvent } from "./events";

export const API_BASE = (import.meta.env.VITE_API_BASE || "/api").replace(/\/+$/, "");
/** The mesh sends a GET with this header to the command role, which reads at LOCAL_QUORUM. */
export const READ_YOUR_WRITES_HEADER = "x-read-your-writes";

export interface QueryPage {
  readonly events: TelemetryEvent[];
  readonly next: string | null;
}

/**
 * The caller's bearer token (from the identity provider's sign-in, kept in sessionStorage): the
 * Vercel functions refuse calls without one (401). Behind the gateway in `npm run dev` none is needed.
 */
export const TOKEN_STORAGE_KEY = "telemetry.token";
function authHeader(): Record<string, string> {
  const token = typeof sessionStorage === "undefined" ? null : sessionStorage.getItem(TOKEN_STORAGE_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

async function errorFrom(res: Response): Promise<ApiError> {
  let detail = res.statusText;
  try {
    const body = (await res.json()) as { error?: string; reason?: string };
    detail = [body.error, body.reason].filter(Boolean).join(": ") || detail;
  } catch {
    // not JSON (e.g. a proxy's HTML error page)
  }
  return new ApiError(res.status, `HTTP ${res.status} ${detail}`);
}

export async function fetchEvents(f: Filters, opts: { limit: number; readYourWrites?: boolean; signal?: AbortSignal }): Promise<QueryPage> {
  const res = await fetch(`${API_BASE}/query?${queryString(f, opts.limit)}`, {
    headers: { accept: "application/json", ...authHeader(), ...(opts.readYourWrites ? { [READ_YOUR_WRITES_HEADER]: "true" } : {}) },
    signal: opts.signal,
    cache: "no-store",
  });
  if (!res.ok) throw await errorFrom(res);
  return (await res.json()) as QueryPage;
}

export interface NewEvent {
  readonly level: Level;
  readonly message: string;
  readonly source: string;
  readonly metadata: Record<string, string>;
}

/** POST one event; resolves once the API acknowledged it (202). */
export async function sendEvent(e: NewEvent, signal?: AbortSignal): Promise<void> {
  const res = await fetch(`${API_BASE}/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...authHeader() },
    body: JSON.stringify({ events: [e] }),
    signal,
  });
  if (res.status !== 202) throw await errorFrom(res);
}
