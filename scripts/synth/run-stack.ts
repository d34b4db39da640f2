/**
 * Child process of the synth: runs the real program for ONE stack under Pulumi's mocks and
 * prints `{stack, resources, outputs}` as JSON on stdout (outputs: the stack's exports, secrets
 * masked). StackReferences read the outputs fed in `PLATFORM_SYNTH_PEER_OUTPUTS` (fakes.ts). One process per stack because the Pulumi
 * runtime's config, mocks and stack resource are process-global.
 *   tsx scripts/synth/run-stack.ts <stack> [configFile]
 */
import * as pulumi from "@pulumi/pulumi";
import { writeSync } from "node:fs";
import { fedStackOutputs, PEER_OUTPUTS_ENV } from "./fakes";
import { installMocks, isSecretOutput, SECRET_MASK, valueOf } from "./mocks";
import { readStackConfig } from "./stacks";

async function main(): Promise<void> {
  const [stack, configFile] = process.argv.slice(2);
  if (!stack) throw new Error("usage: run-stack <stack> [configFile]");
  const config = readStackConfig(stack, configFile);
  const fed = JSON.parse(process.env[PEER_OUTPUTS_ENV] ?? "{}") as Record<string, Record<string, unknown>>;
  const recorded = await installMocks({ stack, project: "platform", config, stackOutputs: fedStackOutputs(fed) });
  // Imported after the mocks: the program reads config and declares resources at import.
  const { declarePlatform } = await import("../../stacks/program");
  const { loadStackConfig } = await import("../../stacks/read-config");
  const cfg = loadStackConfig(stack); // ConfigError here means nothing was declared
  const exported = (await pulumi.runtime.runInPulumiStack(async () => declarePlatform(cfg))) ?? {};
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exported)) {
    const o = pulumi.output(value);
    outputs[key] = (await isSecretOutput(o)) ? SECRET_MASK : ((await valueOf(o)) ?? null);
  }
  await pulumi.runtime.disconnect();
  writeAll(1, JSON.stringify({ stack, resources: recorded, outputs }));
}

/**
 * All of `text` to `fd`. One writeSync to a pipe may write only part (the parent reads while the
 * child exits): a large stack's JSON arrived cut ("Unterminated string in JSON").
 */
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length; ) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
    }
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    writeSync(2, `${err.name === "ConfigError" ? err.message : err.stack ?? String(err)}\n`);
    process.exit(2);
  },
);
