import { verifySubject, verifyTenant } from "./subject.js";
import { matchesSource, type TenantRegistry } from "./tenants.js";
import type { HttpResult } from "./types.js";

/**
 * A caller whose token the adapter verified (the Vercel functions, which no gateway fronts):
 * who it is, and the event sources it may write and read. Without one (the Kubernetes server
 * behind the gateway) the subject comes from the gateway's header, and the sources are those of
 * the tenant the gateway signed (custom domains), or every source (the public host).
 */
export interface Caller {
  /** The token's subject: scopes Idempotency-Keys like the gateway's subject header does. */
  readonly subject: string;
  /** Sources this caller may ingest into and query. */
  readonly sources: ReadonlySet<string>;
}

/** What a request may do: its idempotency identity and, when restricted, which sources it may touch. */
export interface Access {
  readonly subject?: string;
  readonly tenant?: string;
  /** undefined: every source. */
  readonly allows?: (source: string) => boolean;
}

export interface AccessRequest {
  /** The gateway's signed subject header (core/subject.ts), if any. */
  readonly subjectAssertion?: string | string[] | undefined;
  /** The gateway's signed tenant header, if any. */
  readonly tenantAssertion?: string | string[] | undefined;
}

export interface AccessDeps {
  /** A verified token's caller (Vercel functions): the signed headers are not consulted. */
  readonly caller?: Caller;
  /** Key that verifies the gateway's signed headers. */
  readonly subjectKey?: Buffer;
  /** Each tenant's sources; a tenant not in it is refused. @default - no tenant is known */
  readonly tenants?: TenantRegistry;
}

/** The request's access, or the refusal (401 for a header that does not verify, 403 for an unknown tenant). */
export function resolveAccess(req: AccessRequest, deps: AccessDeps, nowMs: number): { ok: true; access: Access } | { ok: false; result: HttpResult } {
  const caller = deps.caller;
  if (caller) return { ok: true, access: { subject: caller.subject, allows: (s) => caller.sources.has(s) } };
  const subject = verifySubject(req.subjectAssertion, deps.subjectKey, nowMs);
  if (!subject.ok) return { ok: false, result: { status: 401, body: { error: subject.reason }, reason: "subject" } };
  const tenant = verifyTenant(req.tenantAssertion, deps.subjectKey, nowMs);
  if (!tenant.ok) return { ok: false, result: { status: 401, body: { error: tenant.reason, reason: "tenant_not_verified" }, reason: "tenant_not_verified" } };
  if (tenant.value === undefined) return { ok: true, access: { subject: subject.subject } };
  const matcher = deps.tenants?.get(tenant.value);
  if (!matcher) {
    return { ok: false, result: { status: 403, body: { error: "forbidden", reason: "unknown_tenant", tenant: tenant.value.slice(0, 63) }, reason: "unknown_tenant" } };
  }
  return { ok: true, access: { subject: subject.subject, tenant: tenant.value, allows: (s) => matchesSource(matcher, s) } };
}

/** Sources among `wanted` that `access` may not touch (sorted, unique); empty when all are allowed. */
export function deniedSources(access: Access, wanted: Iterable<string>): string[] {
  const allows = access.allows;
  if (!allows) return [];
  return [...new Set(wanted)].filter((s) => !allows(s)).sort();
}

/** 403 naming the refused sources (the caller's own input, so nothing leaks); nothing is read or written. */
export function forbiddenSources(denied: readonly string[]): HttpResult {
  return {
    status: 403,
    body: { error: "forbidden", reason: "source_not_allowed", sources: denied.slice(0, 20) },
    reason: "source_not_allowed",
  };
}
