/**
 * `npm run --silent stacks -- --json`: the stacks of stacks/Pulumi.*.yaml in deploy order, as
 * GitHub Actions matrices — `{"all": [...], "deploy": [...]}`, each entry `{ stack, stage, region }`
 * (`deploy` leaves out `local`, a developer cluster). Without --json: one stack per line.
 */
import { parseArgs } from "node:util";
import { discoverStacks } from "./stacks";

const { values } = parseArgs({ options: { json: { type: "boolean" } } });
const all = discoverStacks().map(({ stack, stage, region }) => ({ stack, stage, region }));
if (values.json) console.log(JSON.stringify({ all, deploy: all.filter((s) => s.stage !== "local") }));
else console.log(all.map((s) => s.stack).join("\n"));
