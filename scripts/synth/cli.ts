/**
 * npm run synth -- --stack <name> | --all [--out <dir>]
 * Runs each stack's program under Pulumi's mocks and writes manifests.yaml + resources.json.
 */
import { parseArgs } from "node:util";
import { countByType, SHIPPED_STACKS, synthStack, writeSynthOutput, type SynthResult } from "./index";

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { stack: { type: "string", multiple: true }, all: { type: "boolean" }, out: { type: "string", default: "out" } } });
  const stacks = values.all ? [...SHIPPED_STACKS] : (values.stack ?? []);
  if (stacks.length === 0) {
    console.error("usage: npm run synth -- --stack <name> [--stack <name>...] | --all [--out <dir>]");
    return 64;
  }
  const results: SynthResult[] = [];
  let failed = 0;
  // Two at a time: each child loads the AWS SDK, and the machine has two cores.
  for (let i = 0; i < stacks.length; i += 2) {
    const batch = await Promise.allSettled(stacks.slice(i, i + 2).map((s) => synthStack(s)));
    for (const r of batch) {
      if (r.status === "fulfilled") {
        const files = writeSynthOutput(r.value, values.out!);
        console.log(`✓ ${r.value.stack}: ${files.manifests}, ${files.resources}`);
        results.push(r.value);
      } else {
        failed++;
        console.error(`✗ ${(r.reason as Error).message}`);
      }
    }
  }
  printSummary(results);
  return failed > 0 ? 1 : 0;
}

function printSummary(results: SynthResult[]): void {
  if (results.length === 0) return;
  const counts = results.map(countByType);
  const types = [...new Set(counts.flatMap((c) => [...c.keys()]))].sort();
  const header = ["type", ...results.map((r) => r.stack)];
  const rows = types.map((t) => [t, ...counts.map((c) => String(c.get(t) ?? 0))]);
  rows.push(["TOTAL", ...results.map((r) => String(r.resources.length))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const r of rows) console.log(line(r));
}

main().then((code) => process.exit(code));
