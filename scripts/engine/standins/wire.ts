/**
 * Pulumi's wire markers and plain-JSON helpers for the random provider stand-in (./main.ts).
 */

/** Pulumi's wire markers (sdk/go/common/resource/sig): a secret wrapper and an unknown preview value. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Drops Pulumi's secret wrappers. */
export function reveal(value: Json): Json {
  if (Array.isArray(value)) return value.map(reveal);
  if (value !== null && typeof value === "object") {
    if (value[SIG_KEY] === SECRET_SIG) return reveal(value.value ?? null);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  }
  return value;
}

/** Stable JSON (sorted keys) so key order never shows up as a change. */
export function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined && k !== "__defaults" && k !== "__inputs")
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}
