import { readFile } from "node:fs/promises";
import {
  createLocalJWKSet,
  errors,
  importJWK,
  importSPKI,
  importX509,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import type { GatewayConfig, JwtAlgorithm } from "../config/index.js";

/** Reason codes sent with a 401 (`{"error":"unauthorized","reason":...}`). */
export type AuthFailureReason =
  | "missing_token"
  | "bad_scheme"
  | "malformed_token"
  | "alg_not_allowed"
  | "bad_signature"
  | "unknown_key"
  | "token_expired"
  | "token_not_yet_valid"
  | "bad_issuer"
  | "bad_audience"
  | "missing_claim"
  | "missing_subject"
  | "invalid_token";

export type AuthResult = { ok: true; subject?: string; claims: JWTPayload } | { ok: false; reason: AuthFailureReason };

export interface JwtVerifier {
  verifyHeader(authorization: string | undefined): Promise<AuthResult>;
}

type KeyMaterial = Uint8Array | CryptoKey | JWTVerifyGetKey;

const HS_MIN_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };

/** Turns the mounted key file into key material for exactly one algorithm. Throws with a readable message. */
export async function importVerificationKey(algorithm: JwtAlgorithm, text: string): Promise<KeyMaterial> {
  if (algorithm.startsWith("HS")) {
    const secret = new TextEncoder().encode(text.trim());
    if (secret.length < HS_MIN_BYTES[algorithm]!) {
      throw new Error(`${algorithm} secret must be at least ${HS_MIN_BYTES[algorithm]} bytes, got ${secret.length}`);
    }
    return secret;
  }
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    const json = JSON.parse(trimmed) as JSONWebKeySet | JWK;
    if ("keys" in json && Array.isArray(json.keys)) {
      if (json.keys.some((k) => "d" in k || k.kty === "oct")) throw new Error("JWKS must hold public keys only");
      return createLocalJWKSet(json);
    }
    const jwk = json as JWK;
    if ("d" in jwk || jwk.kty === "oct") throw new Error("JWK must be a public key");
    return (await importJWK(jwk, algorithm)) as CryptoKey;
  }
  if (trimmed.includes("-----BEGIN CERTIFICATE-----")) return importX509(trimmed, algorithm);
  if (trimmed.includes("-----BEGIN PUBLIC KEY-----")) return importSPKI(trimmed, algorithm);
  throw new Error(`${algorithm} needs a PEM public key (SPKI), an X.509 certificate, a JWK or a JWKS`);
}

function reasonFor(err: unknown): AuthFailureReason {
  if (err instanceof errors.JWTExpired) return "token_expired";
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") return "token_not_yet_valid";
    if (err.claim === "iss") return "bad_issuer";
    if (err.claim === "aud") return "bad_audience";
    if (err.reason === "missing") return "missing_claim";
    return "invalid_token";
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return "alg_not_allowed";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "bad_signature";
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return "unknown_key";
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return "malformed_token";
  return "invalid_token";
}

/** What a token is checked against; the gateway's and the Vercel functions' config both provide it. */
export type JwtPolicy = Pick<NonNullable<GatewayConfig["jwt"]>, "algorithm" | "issuer" | "audience">;

export function createJwtVerifierFromKey(
  jwt: JwtPolicy,
  key: KeyMaterial,
  opts: { clockToleranceSeconds?: number } = {},
): JwtVerifier {
  const options = {
    // Pinned: `none`, and any algorithm other than the configured one (HS256 signed with an
    // RSA public key as the secret, say), fail with ERR_JOSE_ALG_NOT_ALLOWED before any key use.
    algorithms: [jwt.algorithm],
    issuer: jwt.issuer,
    audience: jwt.audience,
    requiredClaims: ["exp"],
    clockTolerance: opts.clockToleranceSeconds ?? 5,
  };
  return {
    async verifyHeader(authorization) {
      if (!authorization) return { ok: false, reason: "missing_token" };
      const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(authorization);
      if (!match) return { ok: false, reason: "bad_scheme" };
      const token = match[1]!;
      if (token.length > 8192 || token.split(".").length !== 3) return { ok: false, reason: "malformed_token" };
      try {
        const { payload } =
          typeof key === "function"
            ? await jwtVerify(token, key as JWTVerifyGetKey, options)
            : await jwtVerify(token, key as Uint8Array | CryptoKey, options);
        return { ok: true, subject: typeof payload.sub === "string" ? payload.sub : undefined, claims: payload };
      } catch (err) {
        return { ok: false, reason: reasonFor(err) };
      }
    },
  };
}

/** Reads the key file mounted from the Secret and builds the verifier. */
export async function loadJwtVerifier(jwt: NonNullable<GatewayConfig["jwt"]>): Promise<JwtVerifier> {
  let text: string;
  try {
    text = await readFile(jwt.keyFile, "utf8");
  } catch (err) {
    throw new Error(`JWT_KEY_FILE: cannot read ${jwt.keyFile} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  try {
    return createJwtVerifierFromKey(jwt, await importVerificationKey(jwt.algorithm, text));
  } catch (err) {
    throw new Error(`JWT_KEY_FILE: ${(err as Error).message}`);
  }
}
