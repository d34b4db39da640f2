/**
 * Istio HTTP route lists as pure data, so their order, timeouts and retry rules are tested
 * without Pulumi. Istio evaluates routes top to bottom and stops at the first match.
 */

/** Methods safe to send twice (RFC 9110 idempotent reads); only these are ever retried. */
export const READ_METHODS = ["GET", "HEAD"] as const;
/** Methods the telemetry command side accepts; never retried (a retry could write twice). */
export const WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"] as const;
/** Header by which a client asks to read its own, just-written data (served by the command side). */
export const READ_YOUR_WRITES_HEADER = "x-read-your-writes";

/** Envoy retry conditions for reads: failures before or during a response, and 5xx answers. */
export const READ_RETRY_ON = "connect-failure,refused-stream,reset,5xx";
/** At the edge only connection failures are retried: the mesh below already retries 5xx. */
export const EDGE_RETRY_ON = "connect-failure,refused-stream";

export interface Destination {
  /** FQDN of the Service. */
  readonly host: string;
  readonly port: number;
}

export interface RoutePolicy {
  readonly timeoutSeconds: number;
  readonly retryAttempts: number;
  readonly perTryTimeoutSeconds: number;
  readonly retryOn: string;
}

export interface HttpRetry {
  attempts: number;
  perTryTimeout?: string;
  retryOn?: string;
}

export interface HttpRoute {
  name: string;
  match?: { method?: { exact: string }; headers?: Record<string, { exact: string }> }[];
  route: { destination: { host: string; port: { number: number } } }[];
  timeout: string;
  retries: HttpRetry;
}

const seconds = (n: number) => `${n}s`;

/**
 * Retries for a route. Non-idempotent routes get `attempts: 0` explicitly: with no `retries`
 * block Istio applies its default (2 attempts on connect/reset failures), which could replay a write.
 */
export function retriesFor(idempotent: boolean, p: RoutePolicy): HttpRetry {
  if (!idempotent || p.retryAttempts === 0) return { attempts: 0 };
  return { attempts: p.retryAttempts, perTryTimeout: seconds(p.perTryTimeoutSeconds), retryOn: p.retryOn };
}

function route(name: string, to: Destination, methods: readonly string[] | undefined, p: RoutePolicy, headers?: Record<string, { exact: string }>): HttpRoute {
  const idempotent = methods !== undefined && methods.every((m) => (READ_METHODS as readonly string[]).includes(m));
  return {
    name,
    ...(methods ? { match: methods.map((m) => ({ ...(headers ? { headers } : {}), method: { exact: m } })) } : {}),
    route: [{ destination: { host: to.host, port: { number: to.port } } }],
    timeout: seconds(p.timeoutSeconds),
    retries: retriesFor(idempotent, p),
  };
}

/**
 * The CQRS split of the telemetry host, in evaluation order:
 * 1. `read-your-writes`: GET/HEAD carrying `x-read-your-writes: true` → command (it sees its
 *    own writes at LOCAL_QUORUM). It matches reads only, so it may retry; a write carrying the
 *    header falls through to rule 3, which goes to the same place without retries.
 * 2. `reads`: GET/HEAD → query (LOCAL_ONE), retried.
 * 3. `writes`: POST/PUT/PATCH/DELETE → command, never retried.
 * Any other method matches nothing and gets Envoy's 404: the API has no other verbs.
 */
export function telemetryRoutes(command: Destination, query: Destination, p: RoutePolicy): HttpRoute[] {
  return [
    route("read-your-writes", command, READ_METHODS, p, { [READ_YOUR_WRITES_HEADER]: { exact: "true" } }),
    route("reads", query, READ_METHODS, p),
    route("writes", command, WRITE_METHODS, p),
  ];
}

/**
 * The public host: everything goes to the gateway (it authenticates and routes by path). Reads
 * may be retried on connection failures; every other method (writes, OPTIONS for CORS) is not.
 */
export function publicRoutes(gateway: Destination, p: RoutePolicy): HttpRoute[] {
  return [route("gateway-reads", gateway, READ_METHODS, p), route("gateway", gateway, undefined, p)];
}
