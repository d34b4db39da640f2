/**
 * Validates a Kubernetes object against its OpenAPI schema with kubernetes-models (core and
 * built-in groups), @kubernetes-models/istio and @kubernetes-models/prometheus-operator.
 */
interface Manifest {
  apiVersion: string;
  kind: string;
}

function modulePath(apiVersion: string): string {
  if (!apiVersion.includes("/")) return `kubernetes-models/${apiVersion}`;
  if (apiVersion.includes("istio.io/")) return `@kubernetes-models/istio/${apiVersion}`;
  if (apiVersion.startsWith("monitoring.coreos.com/")) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

/** Throws with the object's identity and the schema errors when it does not validate. */
export async function validateManifest(obj: Manifest & { metadata?: { name?: string } }): Promise<void> {
  const mod = (await import(modulePath(obj.apiVersion))) as Record<string, new (o: unknown) => { validate(): void }>;
  const Model = mod[obj.kind];
  if (!Model) throw new Error(`no schema model for ${obj.apiVersion} ${obj.kind}`);
  try {
    new Model(obj).validate();
  } catch (err) {
    throw new Error(`${obj.kind}/${obj.metadata?.name}: ${(err as Error).message}`);
  }
}
