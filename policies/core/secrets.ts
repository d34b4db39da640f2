/** Heuristics for secret material in plain text: key names, known formats and entropy. */

/** What the synth (and `pulumi.secret`) leaves where a secret value was: it must not be in plain config. */
export const SECRET_MASK = "[secret]";

const SECRET_NAME = /(pass(word|wd|phrase)?|secret|token|api[-_]?key|private[-_]?key|access[-_]?key|credentials?)$/i;
/** Names that talk about a secret without holding one (a path, a name, a flag). */
const SECRET_NAME_OK = /(_file|_path|_dir|_name|_ref|_url|_uri|_enabled|_header|_ttl|_seconds|_ms|_algorithm|_alg)$/i;

/** Whether a variable/key name says it holds a secret (`REDIS_PASSWORD`, `jwt.secret`, `apiKey`). */
export function isSecretName(name: string): boolean {
  const last = name.replace(/[.\-]/g, "_");
  return SECRET_NAME.test(last) && !SECRET_NAME_OK.test(last);
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

const KNOWN_FORMATS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a PEM private key"],
  [/\bAKIA[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, "a JWT"],
  [/:\/\/[^/\s:@]+:[^/\s@]+@/, "a URL with a password"],
];

/**
 * Why a value looks like a secret, or undefined. High entropy means a single token of ≥ 24
 * characters from a base64-like alphabet at ≥ 4.5 bits/char: hex digests (≤ 4 bits/char),
 * words, paths and URLs stay below it.
 */
export function secretLikeValue(value: string): string | undefined {
  if (value === SECRET_MASK) return "a Pulumi secret";
  for (const [re, what] of KNOWN_FORMATS) if (re.test(value)) return what;
  for (const token of value.split(/[\s"'=,;:()[\]{}]+/)) {
    if (token.length >= 24 && /^[A-Za-z0-9+/_\-]+={0,2}$/.test(token) && !token.includes("/") && entropy(token) >= 4.5) {
      return `a high-entropy string (${entropy(token).toFixed(1)} bits/char)`;
    }
  }
  return undefined;
}
