import { randomBytes } from "node:crypto";
import { SignJWT, type JWTPayload } from "jose";
import { FUNCTION_AUTH_ENV } from "../../apps/telemetry/api/keys";

/** Token settings for the Vercel functions in tests: HS256 with a fresh secret per run. */
export const FUNCTION_JWT = {
  algorithm: "HS256",
  issuer: "https://auth.platform.test/",
  audience: "telemetry-api",
  secret: randomBytes(32).toString("hex"),
} as const;

/** The functions' environment for {@link FUNCTION_JWT}. */
export const FUNCTION_AUTH_TEST_ENV: Record<string, string> = {
  [FUNCTION_AUTH_ENV.algorithm]: FUNCTION_JWT.algorithm,
  [FUNCTION_AUTH_ENV.issuer]: FUNCTION_JWT.issuer,
  [FUNCTION_AUTH_ENV.audience]: FUNCTION_JWT.audience,
  [FUNCTION_AUTH_ENV.key]: FUNCTION_JWT.secret,
};

export interface TokenOptions {
  /** @default FUNCTION_JWT.secret */
  readonly secret?: string;
  /** Expiry, seconds since the epoch. @default - five minutes from now */
  readonly exp?: number;
  readonly issuer?: string;
  readonly audience?: string;
}

/** A signed bearer token (the `Authorization` header value). */
export async function bearer(claims: JWTPayload, o: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(o.issuer ?? FUNCTION_JWT.issuer)
    .setAudience(o.audience ?? FUNCTION_JWT.audience)
    .setIssuedAt(now - 60)
    .setExpirationTime(o.exp ?? now + 300)
    .sign(new TextEncoder().encode(o.secret ?? FUNCTION_JWT.secret));
  return `Bearer ${jwt}`;
}
