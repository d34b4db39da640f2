import { GATEWAY_ENV } from "../../gateway/src/config/keys.js";

/**
 * The Vercel functions' token settings: the gateway's own keys for algorithm, issuer and
 * audience (the stacks set both from the same `gateway.jwt` config), and the key itself as a
 * value (a sensitive variable: a function has no mounted file).
 */
export const FUNCTION_AUTH_ENV = {
  algorithm: GATEWAY_ENV.jwtAlgorithm,
  issuer: GATEWAY_ENV.jwtIssuer,
  audience: GATEWAY_ENV.jwtAudience,
  /** Secret: HS secret, PEM public key / certificate, JWK or JWKS, as the gateway's key file. */
  key: "JWT_KEY",
} as const;

export type FunctionAuthEnvKey = (typeof FUNCTION_AUTH_ENV)[keyof typeof FUNCTION_AUTH_ENV];

/** Keys whose values are secrets (Vercel sensitive variables). */
export const FUNCTION_AUTH_SECRET_ENV: readonly FunctionAuthEnvKey[] = [FUNCTION_AUTH_ENV.key];
