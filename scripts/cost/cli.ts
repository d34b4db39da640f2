/**
 * npm run cost -- --stack <name>... | --all [--json]
 * Monthly cost estimate of each stack at the working tree (./estimate.ts, prices in ./prices.ts).
 * The offline diff (`npm run diff`) prints the same estimate with its delta against the base.
 */
import { parseArgs } from "node:util";
import { packValuesFor } from "../../policies/core/stack-config";
import { fromSynth } from "../../policies/core/evaluate";
import { SHIPPED_STACKS, synthStack } from "../synth";
import { costLines, costSummary, estimateStackCost } from "./estimate";

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { stack: { type: "string", multiple: true }, all: { type: "boolean" }, json: { type: "boolean" } } });
  const stacks = values.all ? [...SHIPPED_STACKS] : (values.stack ?? []);
  if (stacks.length === 0) {
    console.error("usage: npm run cost -- --stack <name>... | --all [--json]");
    return 2;
  }
  const estimates = [];
  for (const stack of stacks) {
    const { resources } = await synthStack(stack);
    estimates.push(estimateStackCost(stack, fromSynth(resources), { vercelPlan: packValuesFor(stack).vercelPlan }));
  }
  if (values.json) process.stdout.write(`${JSON.stringify(estimates, null, 2)}\n`);
  else for (const e of estimates) process.stdout.write(`${e.stack}: ${costSummary(e)}\n${costLines(e).map((l) => `  ${l}`).join("\n")}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
