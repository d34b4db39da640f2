import { createHmac } from "node:crypto";

/**
 * The verified JWT subject, vouched for to the upstream: the gateway sets this header itself on
 * authenticated routes and drops any copy a client sent on every route. The value is
 * `v1.<issued-at s>.<base64url(subject)>.<base64url(HMAC-SHA256(key, "v1.<iat>.<b64 subject>"))>`
 * with a key shared only with the upstream (apps/telemetry/src/core/subject.ts verifies it), so
 * the upstream trusts the key, not the network path: a pod that reaches the upstream directly
 * cannot claim another caller's subject.
 */
export const SUBJECT_HEADER = "x-platform-subject";

/** `tag` keeps the kinds apart: a signed tenant (`t1`) never verifies as a subject (`v1`). */
function sign(tag: "v1" | "t1", value: string, key: Uint8Array, nowMs: number): string {
  const payload = `${tag}.${Math.floor(nowMs / 1000)}.${Buffer.from(value, "utf8").toString("base64url")}`;
  return `${payload}.${createHmac("sha256", key).update(payload).digest("base64url")}`;
}

export function signSubject(subject: string, key: Uint8Array, nowMs: number): string {
  return sign("v1", subject, key, nowMs);
}

/**
 * The custom domain's tenant for `x-platform-tenant` (domains/custom-domains.ts), signed like the
 * subject with the same key: an upstream scopes sources by it, so a pod in the mesh must not be
 * able to claim a tenant either.
 */
export function signTenant(tenant: string, key: Uint8Array, nowMs: number): string {
  return sign("t1", tenant, key, nowMs);
}
