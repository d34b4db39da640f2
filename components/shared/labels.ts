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
