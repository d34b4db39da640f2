/** The guard Job's contract with the policy pack, kept free of cdk8s so policies import it cheaply. */

export const SCALE_DOWN_COMPONENT = "scale-down";

/** One rack StatefulSet and the replicas it is about to have. */
export interface ScaleDownTarget {
  readonly statefulSet: string;
  readonly replicas: number;
}

/** `cassandra-a:1 cassandra-b:1`: the env value the script and the policy read. */
export function scaleDownTargets(targets: readonly ScaleDownTarget[]): string {
  return targets.map((t) => `${t.statefulSet}:${t.replicas}`).join(" ");
}

/** Parses {@link scaleDownTargets}' format back (the policy reads the Job's env). */
export function parseScaleDownTargets(value: string): ScaleDownTarget[] {
  return value
    .split(/\s+/)
    .filter(Boolean)
    .map((t) => ({ statefulSet: t.slice(0, t.lastIndexOf(":")), replicas: Number(t.slice(t.lastIndexOf(":") + 1)) }));
}

