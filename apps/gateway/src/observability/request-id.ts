import { randomUUID } from "node:crypto";

export const REQUEST_ID_HEADER = "x-request-id";

/** A caller's id is kept when it is 8–128 visible token characters (UUIDs, ULIDs, trace ids). */
const VALID = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

export function requestIdFrom(incoming: string | string[] | undefined): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value !== undefined && VALID.test(value) ? value : randomUUID();
}
