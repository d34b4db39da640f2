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

export function signSubject(subject: string, key: Uint8Array, nowMs: number): string {
  const payload = `v1.${Math.floor(nowMs / 1000)}.${Buffer.from(subject, "utf8").toString("base64url")}`;
  return `${payload}.${createHmac("sha256", key).update(payload).digest("base64url")}`;
}
