/** Istio/protobuf durations (`10s`, `1.5s`, `250ms`, `1m`, `1h`) → milliseconds; undefined if unparsable. */
export function parseDurationMs(d: unknown): number | undefined {
  if (typeof d !== "string") return undefined;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /([0-9]*\.?[0-9]+)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of d.matchAll(re)) {
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  return consumed === d.length && consumed > 0 ? total : undefined;
}
