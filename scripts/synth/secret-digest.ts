/**
 * Extra recording for the offline diff (scripts/diff): keyed digests of secret values, so the
 * diff can say "this secret changed" while `inputs` keep only "[secret]", and each input's
 * dependencies, so it can say which values a replacement will recompute. Off unless the caller
 * sets {@link SECRET_DIGEST_KEY_ENV}: `npm run synth`, the tests and resources.json are unchanged.
 *
 * Why a key: a plain (or fixed-salt) hash of a low-entropy secret (a short password, a PIN) can
 * be brute-forced from the digest. With a random key that lives only in the diff's cache
 * directory (mode 0600), a digest is useless without that file; and digests are only compared,
 * never printed.
 */
import { createHmac } from "node:crypto";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

/** Environment variable holding the HMAC key (hex); digests are recorded only when it is set. */
export const SECRET_DIGEST_KEY_ENV = "PLATFORM_SECRET_DIGEST_KEY";

/** `hmac-sha256:<first 16 hex>` of a JSON-encoded value. */
export function secretDigest(value: unknown, key: string): string {
  return `hmac-sha256:${createHmac("sha256", key).update(JSON.stringify(value ?? null)).digest("hex").slice(0, 16)}`;
}

/**
 * Digest of every secret leaf in deserialized inputs, keyed by its dotted path
 * (`stringData.password`, `env[2].value`), or undefined when no key is configured.
 */
export function collectSecretDigests(inputs: Record<string, unknown>, key = process.env[SECRET_DIGEST_KEY_ENV]): Record<string, string> | undefined {
  if (!key) return undefined;
  const out: Record<string, string> = {};
  const walk = (value: unknown, path: string, inSecret: boolean): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${path}[${i}]`, inSecret));
    if (value && typeof value === "object") {
      const obj = value as Record<string, unknown>;
      if (obj[specialSigKey] === specialSecretSig) return walk(obj.value, path, true);
      for (const [k, v] of Object.entries(obj)) walk(v, path ? `${path}.${k}` : k, inSecret);
      return;
    }
    if (inSecret && value !== undefined && value !== null) out[path] = secretDigest(value, key);
  };
  walk(inputs, "", false);
  return out;
}

/**
 * The diff-only fields for one registered resource (`dependencies`, `secretDigests`), or `{}`
 * when the diff did not ask for them. `req` is the monitor's RegisterResourceRequest.
 */
export function diffDetails(
  req: { getPropertydependenciesMap(): { forEach(cb: (deps: { getUrnsList(): string[] }, prop: string) => void): void } },
  inputs: Record<string, unknown>,
): { dependencies?: Record<string, string[]>; secretDigests?: Record<string, string> } {
  const secretDigests = collectSecretDigests(inputs);
  if (!secretDigests) return {};
  const dependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps, prop) => {
    if (deps.getUrnsList().length > 0) dependencies[prop] = [...deps.getUrnsList()].sort();
  });
  return { dependencies, secretDigests };
}
