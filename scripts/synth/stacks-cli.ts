/**
 * `npm run --silent stacks -- --json`: the stacks of stacks/Pulumi.*.yaml in deploy order, as
 * GitHub Actions matrices — `{"all": [...], "deploy": [...]}`, each entry `{ stack, stage, region, org }`
 * (`deploy` leaves out `local`, a developer cluster). Without --json: one stack per line.
 */
import { parseArgs } from "node:util";
import { discoverStacks, readStackConfig } from "./stacks";

const { values } = parseArgs({ options: { json: { type: "boolean" } } });
// `org` is the stack file's platform:org, the one source of the Pulumi organisation (the program
// fails when the engine's organisation differs; stacks/read-config.ts).
const all = discoverStacks().map(({ stack, stage, region }) => {
  const org = stage === "local" ? "" : readStackConfig(stack)["platform:org"];
  if (org === undefined) {
    console.error(`stacks/Pulumi.${stack}.yaml: set platform:org (the Pulumi organisation CI deploys the stack in)`);
    process.exit(1);
  }
  return { stack, stage, region, org };
});
if (values.json) console.log(JSON.stringify({ all, deploy: all.filter((s) => s.stage !== "local") }));
else console.log(all.map((s) => s.stack).join("\n"));
