import { describe } from "./kube";
import type { Finding, ResourceLike } from "./types";

/** A finding on resource `r`. */
export function finding(r: ResourceLike, message: string, fix: string): Finding {
  return { urn: r.urn, resource: describe(r), message, fix };
}
