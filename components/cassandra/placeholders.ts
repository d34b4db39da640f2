import * as pulumi from "@pulumi/pulumi";

/**
 * Returns a copy of a plain (synthesised) object with every string equal to `placeholder`
 * replaced by `value`: cdk8s builds plain data, while some values (seed lists from
 * StackReferences) are only known as Outputs; Pulumi resolves nested Outputs in inputs.
 */
export function fillPlaceholder<T>(obj: T, placeholder: string, value: pulumi.Input<string>): T {
  if (obj === placeholder) return value as unknown as T;
  if (Array.isArray(obj)) return obj.map((v) => fillPlaceholder(v, placeholder, value)) as T;
  if (obj && typeof obj === "object") {
    return Object.fromEntries(
      Object.entries(obj as Record<string, unknown>).map(([k, v]) => [k, fillPlaceholder(v, placeholder, value)]),
    ) as T;
  }
  return obj;
}
