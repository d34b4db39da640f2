import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The caller's identity as the gateway vouches for it. The gateway verifies the JWT, then sets
 * this header itself (dropping any copy a client sent) to
 * `v1.<issued-at s>.<base64url(subject)>.<base64url(HMAC-SHA256(key, "v1.<iat>.<b64 subject>"))>`,
 * with a key shared only by the gateway and this app (a Secret). So the header is trusted
 * because of the key, not because of where the request came from: a pod in the mesh that can
 * reach the telemetry Service directly still cannot claim someone else's subject.
 * (apps/gateway/src/auth/subject.ts is the signing side; a test checks the two agree.)
 */
export const SUBJECT_HEADER = "x-platform-subject";
/** How far the issue time may be from this server's clock (the header is made per request). */
export const SUBJECT_MAX_SKEW_S = 120;

export type SubjectResult =
  | { readonly ok: true; readonly subject: string | undefined }
  | { readonly ok: false; readonly reason: string };

/**
 * The verified subject, `undefined` when no header was sent (an internal caller: anonymous
 * scope), or a failure. Without a key nothing is trusted and the header is ignored.
 */
export function verifySubject(value: string | string[] | undefined, key: Buffer | undefined, nowMs: number): SubjectResult {
  if (value === undefined || !key) return { ok: true, subject: undefined };
  if (Array.isArray(value)) return { ok: false, reason: `${SUBJECT_HEADER} must be sent once` };
  const m = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{1,1400})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return { ok: false, reason: `${SUBJECT_HEADER} is malformed` };
  const mac = createHmac("sha256", key).update(`v1.${m[1]}.${m[2]}`).digest();
  const given = Buffer.from(m[3]!, "base64url");
  if (given.length !== mac.length || !timingSafeEqual(given, mac)) return { ok: false, reason: `${SUBJECT_HEADER} has a bad signature` };
  if (Math.abs(nowMs / 1000 - Number(m[1])) > SUBJECT_MAX_SKEW_S) return { ok: false, reason: `${SUBJECT_HEADER} has expired` };
  const subject = Buffer.from(m[2]!, "base64url").toString("utf8");
  return subject ? { ok: true, subject } : { ok: false, reason: `${SUBJECT_HEADER} names no subject` };
}

/** Idempotency scope of a caller: its subject, or "" for unauthenticated internal callers. */
export function scopeOf(subject: string | undefined): string {
  return subject === undefined ? "" : `sub:${subject}`;
}
