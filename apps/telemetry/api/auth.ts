import type { JWTPayload } from "jose";
import { createJwtVerifierFromKey, importVerificationKey, type AuthFailureReason, type JwtVerifier } from "../../gateway/src/auth/jwt.js";
import { JWT_ALGORITHMS, type JwtAlgorithm } from "../../gateway/src/config/keys.js";
import type { Caller } from "../src/core/access.js";
import type { HttpResult } from "../src/core/types.js";
import { FUNCTION_AUTH_ENV } from "./keys.js";

/**
 * The functions' front door. Nothing fronts them on Vercel (no gateway), so each verifies the
 * bearer token itself, with the gateway's own verifier and settings, and derives what the
 * caller may touch: the `sources` claim when present, else the subject's own source.
 */

/** 401 reasons beyond the gateway's: a `sources` claim that is not a list of source names. */
export type FunctionAuthReason = AuthFailureReason | "bad_sources_claim";

export type Authenticated = { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly result: HttpResult };

const MAX_SOURCES = 1000;

/** The caller a verified token describes, or why it cannot be one. */
export function callerOf(claims: JWTPayload): Caller | FunctionAuthReason {
  // Every caller has a subject: it scopes Idempotency-Keys, as behind the gateway.
  if (typeof claims.sub !== "string" || claims.sub === "") return "missing_subject";
  const sources = claims["sources"];
  if (sources === undefined) return { subject: claims.sub, sources: new Set([claims.sub]) };
  const ok = Array.isArray(sources) && sources.length <= MAX_SOURCES && sources.every((s) => typeof s === "string" && s.length > 0);
  return ok ? { subject: claims.sub, sources: new Set(sources as string[]) } : "bad_sources_claim";
}

export function unauthorized(reason: FunctionAuthReason): HttpResult {
  return { status: 401, headers: { "www-authenticate": `Bearer error="invalid_token"` }, body: { error: "unauthorized", reason }, reason };
}

/** Reads the settings; throws one error listing every missing/invalid key (names only, never values). */
export async function loadFunctionVerifier(env: NodeJS.ProcessEnv): Promise<JwtVerifier> {
  const E = FUNCTION_AUTH_ENV;
  const get = (k: string) => env[k]?.trim() || undefined;
  const problems = [E.algorithm, E.issuer, E.audience, E.key].filter((k) => !get(k)).map((k) => `${k} is required`);
  const algorithm = get(E.algorithm);
  if (algorithm && !(JWT_ALGORITHMS as readonly string[]).includes(algorithm)) problems.push(`${E.algorithm} must be one of ${JWT_ALGORITHMS.join("|")}`);
  if (problems.length > 0) throw new Error(`invalid function auth configuration: ${problems.join("; ")}`);
  const policy = { algorithm: algorithm as JwtAlgorithm, issuer: get(E.issuer)!, audience: get(E.audience)! };
  try {
    return createJwtVerifierFromKey(policy, await importVerificationKey(policy.algorithm, get(E.key)!.replaceAll("\\n", "\n")));
  } catch (err) {
    // The key's own content never goes into the message: only what is wrong with it.
    throw new Error(`invalid function auth configuration: ${E.key}: ${(err as Error).message}`);
  }
}

/**
 * An authenticator built once per function instance (module scope), on first use. A broken
 * configuration fails every request with a 500 (fail closed) and is retried on the next one.
 */
export function createAuthenticator(env: NodeJS.ProcessEnv = process.env, onConfigError?: (err: Error) => void) {
  let verifier: Promise<JwtVerifier> | undefined;
  return async function authenticate(authorization: string | undefined): Promise<Authenticated> {
    verifier ??= loadFunctionVerifier(env);
    let v: JwtVerifier;
    try {
      v = await verifier;
    } catch (err) {
      verifier = undefined;
      onConfigError?.(err as Error);
      return { ok: false, result: { status: 500, body: { error: "authentication is not configured" }, reason: "auth_config" } };
    }
    const verified = await v.verifyHeader(authorization);
    if (!verified.ok) return { ok: false, result: unauthorized(verified.reason) };
    const caller = callerOf(verified.claims);
    return typeof caller === "string" ? { ok: false, result: unauthorized(caller) } : { ok: true, caller };
  };
}
