/**
 * A record as an env value: JSON with the keys sorted, so the same config always renders the
 * same bytes (no spurious pod roll when a stack file lists the keys in another order).
 */
export function sortedRecordJson(record: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b))));
}
