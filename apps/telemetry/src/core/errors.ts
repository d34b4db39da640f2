import { errors, types } from "cassandra-driver";

const retryableCodes = new Set<number>([
  types.responseErrorCodes.unavailableException,
  types.responseErrorCodes.overloaded,
  types.responseErrorCodes.isBootstrapping,
  types.responseErrorCodes.writeTimeout,
  types.responseErrorCodes.readTimeout,
  types.responseErrorCodes.truncateError,
]);

/**
 * True when the failure means "Cassandra is (temporarily) unavailable": the caller should get a
 * 503 with Retry-After rather than a 500. A write timeout is included: the write may or may not
 * have been applied, so we must not claim it; the deterministic ids make the retry safe.
 */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof errors.NoHostAvailableError) return true;
  if (err instanceof errors.OperationTimedOutError) return true;
  if (err instanceof errors.BusyConnectionError) return true;
  if (err instanceof errors.ResponseError) return retryableCodes.has(err.code);
  if (err instanceof PartialWriteError) return err.causes.every(isUnavailable);
  // Socket-level failures while the pool is (re)connecting.
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && ["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(code);
}

/** Some partitions of a request were written and some were not. */
export class PartialWriteError extends Error {
  constructor(
    readonly written: number,
    readonly total: number,
    readonly causes: readonly unknown[],
  ) {
    super(`${written} of ${total} events written before failure: ${causes.map((c) => (c as Error)?.message ?? String(c)).join("; ")}`);
    this.name = "PartialWriteError";
  }
}
