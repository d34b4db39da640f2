/** A transport-agnostic HTTP answer produced by the core handlers. */
export interface HttpResult {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** Machine-readable rejection reason for metrics (4xx/5xx only). */
  readonly reason?: string;
}

/** What the core reports to metrics; the server wires it to prom-client, Vercel to nothing. */
export interface TelemetryObserver {
  ingested(count: number): void;
  batch(seconds: number, ok: boolean): void;
}
