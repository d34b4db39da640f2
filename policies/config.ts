/**
 * `npm run --silent policy:config -- --stack <name> [--out <file>]`: the stack's CrossGuard policy
 * config, for `pulumi preview|up --policy-pack policies --policy-pack-config <file>`. The offline
 * runner reads the same object (core/stack-config.ts), so both judge with the same values.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { policyPackConfigFor } from "./core/stack-config";
import { PLATFORM_POLICIES } from "./policy-list";

const { values } = parseArgs({ options: { stack: { type: "string" }, out: { type: "string" } } });
if (!values.stack) {
  console.error("usage: npm run --silent policy:config -- --stack <name> [--out <file>]");
  process.exit(2);
}
const text = `${JSON.stringify(policyPackConfigFor(values.stack, PLATFORM_POLICIES), null, 2)}\n`;
if (values.out) writeFileSync(values.out, text);
else process.stdout.write(text);
