/** The platform's one namespace and its part-of label value. */
export const PLATFORM_NAMESPACE = "platform";
export const PART_OF = "platform";

/**
 * Standard Kubernetes recommended labels. Selectors use only `name` and `component`, which
 * never change for a workload, so a relabel never forces a StatefulSet replacement.
 */
export function standardLabels(name: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/** The immutable subset of {@link standardLabels} used in selectors. */
export function selectorLabels(name: string, component: string): Record<string, string> {
  return { "app.kubernetes.io/name": name, "app.kubernetes.io/component": component };
}

/**
 * `app.kubernetes.io/version` from an image reference: its tag, or `sha256-` and the first 12
 * digits of its digest (label values allow no `:`, at most 63 characters). Istio's telemetry
 * reads it beside the name label (`istioctl validate` warns on pod templates without it).
 */
export function versionLabel(image: string): string {
  const digest = /@sha256:([0-9a-f]{12})/.exec(image);
  if (digest) return `sha256-${digest[1]}`;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : "latest";
  return tag.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "") || "unknown";
}
