/**
 * Child process of the synth: runs the real program for ONE stack under Pulumi's mocks and
 * prints `{stack, resources}` as JSON on stdout. One process per stack because the Pulumi
 * runtime's config, mocks and stack resource are process-global.
 *   tsx scripts/synth/run-stack.ts <stack> [configFile]
 */
import * as pulumi from "@pulumi/pulumi";
import { writeSync } from "node:fs";
import { installMocks } from "./mocks";
import { readStackConfig } from "./stacks";

async function main(): Promise<void> {
  const [stack, configFile] = process.argv.slice(2);
  if (!stack) throw new Error("usage: run-stack <stack> [configFile]");
  const config = readStackConfig(stack, configFile);
  const recorded = await installMocks({ stack, project: "platform", config });
  // Imported after the mocks: the program reads config and declares resources at import.
  const { declarePlatform } = await import("../../stacks/program");
  const { loadStackConfig } = await import("../../stacks/read-config");
  const cfg = loadStackConfig(stack); // ConfigError here means nothing was declared
  await pulumi.runtime.runInPulumiStack(async () => declarePlatform(cfg));
  await pulumi.runtime.disconnect();
  writeSync(1, JSON.stringify({ stack, resources: recorded }));
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    writeSync(2, `${err.name === "ConfigError" ? err.message : err.stack ?? String(err)}\n`);
    process.exit(2);
  },
);
