/** A plain-text table with wrapped cells (column width capped), header underlined. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.min(70, Math.max(...rows.map((r) => r[i].length))));
  const wrap = (s: string, w: number) => (s.length <= w ? [s] : (s.match(new RegExp(`.{1,${w}}(\\s|$)|\\S+`, "g")) ?? [s]).map((x) => x.trim()));
  const lines: string[] = [];
  rows.forEach((r, idx) => {
    const cells = r.map((c, i) => wrap(c, widths[i]));
    const height = Math.max(...cells.map((c) => c.length));
    for (let l = 0; l < height; l++) lines.push(cells.map((c, i) => (c[l] ?? "").padEnd(widths[i])).join(" │ ").trimEnd());
    if (idx === 0) lines.push(widths.map((w) => "─".repeat(w)).join("─┼─"));
  });
  return lines.join("\n");
}
