import { createHash } from "node:crypto";

/** A short, stable content hash (sha256, hex, 16 chars) for pod-template annotations. */
export function contentHash(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}
