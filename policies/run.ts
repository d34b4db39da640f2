/**
 * Offline policy run: `npm run policy -- --stack <name>` or `--all`. Synthesizes each stack under
 * mocks, runs every policy of the pack and `istioctl analyze`/`validate` (policies/core/istioctl.ts),
 * and prints one table of violations (policy, resource, message, how to fix) plus a summary per
 * stack. Exits 1 on any mandatory violation.
 */
import { parseArgs } from "node:util";
import { SHIPPED_STACKS, manifestsYaml, synthStack } from "../scripts/synth";
import { evaluatePolicies, fromSynth, type Violation } from "./core/evaluate";
import { istioViolations } from "./core/istioctl";
import { packConfigFor } from "./core/stack-config";
import { table } from "./core/table";
import { PLATFORM_POLICIES } from "./policy-list";

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { stack: { type: "string", multiple: true }, all: { type: "boolean" }, json: { type: "boolean" } } });
  const stacks = values.all ? [...SHIPPED_STACKS] : values.stack ?? [];
  if (stacks.length === 0) {
    console.error("usage: npm run policy -- --stack <name> [--stack <name>...] | --all [--json]");
    return 2;
  }
  const results: { stack: string; violations: Violation[]; error?: string }[] = [];
  // Sequential: each synth is a child process of a few seconds; two cores are better spent one at a time.
  for (const stack of stacks) {
    try {
      const synth = await synthStack(stack);
      const violations = evaluatePolicies(fromSynth(synth.resources), PLATFORM_POLICIES, packConfigFor(stack));
      // Istio's own analyzers and webhook rules over the same objects (istioctl, built by setup).
      violations.push(...istioViolations(manifestsYaml(synth.resources)));
      results.push({ stack, violations });
    } catch (err) {
      // One broken stack must not hide the verdict on the others.
      console.error((err as Error).message + "\n");
      results.push({ stack, violations: [], error: (err as Error).message.split("\n")[0] });
    }
  }
  if (values.json) {
    console.log(JSON.stringify(results, null, 2));
  } else {
    const rows = results.flatMap(({ stack, violations }) => violations.map((v) => [stack, v.enforcementLevel, v.policy, v.resource, v.message, v.fix]));
    if (rows.length > 0) console.log(table([["stack", "level", "policy", "resource", "message", "how to fix"], ...rows]) + "\n");
    console.log(table([
      ["stack", "policies", "mandatory", "advisory", "result"],
      ...results.map(({ stack, violations, error }) => {
        const m = violations.filter((v) => v.enforcementLevel === "mandatory").length;
        return [stack, String(PLATFORM_POLICIES.length), error ? "-" : String(m), error ? "-" : String(violations.length - m), error ? "SYNTH ERROR" : m > 0 ? "FAIL" : "pass"];
      }),
    ]));
  }
  if (results.some((r) => r.violations.some((v) => v.enforcementLevel === "mandatory"))) return 1;
  return results.some((r) => r.error) ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error((err as Error).message);
    process.exit(2);
  },
);
