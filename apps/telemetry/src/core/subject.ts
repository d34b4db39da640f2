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
/**
 * The tenant of a custom-domain request, signed the same way with the same key but the tag
 * `t1` instead of `v1` (so a signed tenant is never a valid subject, nor the reverse).
 */
export const TENANT_HEADER = "x-platform-tenant";
/** How far the issue time may be from this server's clock (the header is made per request). */
export const SUBJECT_MAX_SKEW_S = 120;

/** What a signed header carries, and the tag its MAC covers. */
const ASSERTIONS = {
  subject: { header: SUBJECT_HEADER, tag: "v1" },
  tenant: { header: TENANT_HEADER, tag: "t1" },
} as const;
export type AssertionKind = keyof typeof ASSERTIONS;

export type AssertionResult =
  | { readonly ok: true; readonly value: string | undefined }
  | { readonly ok: false; readonly reason: string };

export type SubjectResult =
  | { readonly ok: true; readonly subject: string | undefined }
  | { readonly ok: false; readonly reason: string };

/**
 * Verifies a signed header `<tag>.<iat>.<b64 value>.<b64 mac>`: the value, `undefined` when no
 * header was sent, or a failure.
 */
export function verifyAssertion(kind: AssertionKind, value: string | string[] | undefined, key: Buffer, nowMs: number): AssertionResult {
  const { header, tag } = ASSERTIONS[kind];
  if (value === undefined) return { ok: true, value: undefined };
  if (Array.isArray(value)) return { ok: false, reason: `${header} must be sent once` };
  const m = new RegExp(`^${tag}\\.(\\d{1,12})\\.([A-Za-z0-9_-]{1,1400})\\.([A-Za-z0-9_-]{43})$`).exec(value);
  if (!m) return { ok: false, reason: `${header} is malformed` };
  const mac = createHmac("sha256", key).update(`${tag}.${m[1]}.${m[2]}`).digest();
  const given = Buffer.from(m[3]!, "base64url");
  if (given.length !== mac.length || !timingSafeEqual(given, mac)) return { ok: false, reason: `${header} has a bad signature` };
  if (Math.abs(nowMs / 1000 - Number(m[1])) > SUBJECT_MAX_SKEW_S) return { ok: false, reason: `${header} has expired` };
  const decoded = Buffer.from(m[2]!, "base64url").toString("utf8");
  return decoded ? { ok: true, value: decoded } : { ok: false, reason: `${header} names no ${kind}` };
}

/**
 * The verified subject, `undefined` when no header was sent (an internal caller: anonymous
 * scope), or a failure. Without a key nothing is trusted and the header is ignored.
 */
export function verifySubject(value: string | string[] | undefined, key: Buffer | undefined, nowMs: number): SubjectResult {
  if (!key) return { ok: true, subject: undefined };
  const r = verifyAssertion("subject", value, key, nowMs);
  return r.ok ? { ok: true, subject: r.value } : r;
}

/**
 * The verified tenant, `undefined` when no header was sent (the public host, or an internal
 * caller). Unlike the subject, a tenant header is never ignored: without a key it cannot be
 * verified and is refused, so a scope the gateway asked for is never silently dropped.
 */
export function verifyTenant(value: string | string[] | undefined, key: Buffer | undefined, nowMs: number): AssertionResult {
  if (value === undefined) return { ok: true, value: undefined };
  if (!key) return { ok: false, reason: `${TENANT_HEADER} cannot be verified (this server has no SUBJECT_KEY)` };
  return verifyAssertion("tenant", value, key, nowMs);
}

/**
 * Idempotency scope of a caller: its subject, or "" for unauthenticated internal callers;
 * prefixed with `t:<tenant>/` on a tenant's custom domain, so two tenants' keys never meet.
 * (Tenant ids are [a-z0-9-], so the prefix cannot be confused with an unscoped subject.)
 */
export function scopeOf(subject: string | undefined, tenant?: string): string {
  const own = subject === undefined ? "" : `sub:${subject}`;
  return tenant === undefined ? own : `t:${tenant}/${own}`;
}
