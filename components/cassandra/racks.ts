/** One rack = one availability zone = one StatefulSet. */
export interface Rack {
  /** Short DNS-safe suffix: StatefulSet `cassandra-<suffix>`, pods `cassandra-<suffix>-<i>`. */
  readonly suffix: string;
  /** CASSANDRA_RACK value: the zone name itself, or `rack1` without zones. */
  readonly rack: string;
  /** Zone the StatefulSet is pinned to (`topology.kubernetes.io/zone`); absent = unpinned. */
  readonly zone?: string;
  /** Pods in this rack. */
  readonly replicas: number;
}

/** Suffix of a zone name: `us-east-1a` → `a`, `eu-west-1b` → `b`; otherwise the sanitised name. */
export function zoneSuffix(zone: string): string {
  const m = /^[a-z]+-[a-z]+-\d+([a-z0-9-]+)$/.exec(zone);
  const raw = m ? m[1] : zone;
  return raw.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "");
}

/** Every problem with `zones` for `nodes` pods (empty = fine). */
export function rackProblems(zones: readonly string[], nodes: number): string[] {
  const problems: string[] = [];
  if (zones.length === 0) return problems;
  const suffixes = zones.map(zoneSuffix);
  if (new Set(zones).size !== zones.length) problems.push(`zones: must be distinct, got [${zones.join(", ")}]`);
  else if (new Set(suffixes).size !== suffixes.length || suffixes.some((s) => s === "")) {
    problems.push(`zones: must have distinct non-empty suffixes, got [${zones.join(", ")}] → [${suffixes.join(", ")}]`);
  }
  // Equal racks: NetworkTopologyStrategy puts one replica per rack, so an uneven rack holds
  // more data per node and becomes the hot spot.
  if (nodes % zones.length !== 0) {
    problems.push(`zones: nodes (${nodes}) must be a multiple of the number of zones (${zones.length}) so racks are equal`);
  }
  return problems;
}

/**
 * Splits `nodes` into one rack per zone (each pinned to its zone), or a single unpinned rack
 * `rack1` when no zones are given (local clusters).
 */
export function racksFor(zones: readonly string[], nodes: number): Rack[] {
  const problems = rackProblems(zones, nodes);
  if (problems.length > 0) throw new Error(problems.join("; "));
  if (zones.length === 0) return [{ suffix: "rack1", rack: "rack1", replicas: nodes }];
  return zones.map((zone) => ({ suffix: zoneSuffix(zone), rack: zone, zone, replicas: nodes / zones.length }));
}
