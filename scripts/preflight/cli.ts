/**
 * npm run preflight -- --stack <name> [--kubeconfig <file>] [--context <ctx>] [--examples-only | --aws-only] [--skip-aws]
 * Checks what the stack needs before `pulumi up`: no example values left in its stack file,
 * then, against its cluster, the StorageClass, metrics-server, the ingress TLS Secret, Istio's
 * v1 CRDs, the prometheus-operator CRDs and the JWT key Secret; for a prod region that joins
 * others (`cassandra.peerRegions`), the cross-region network in AWS (./network.ts). Prints one
 * table (check, found, how to fix); exits 1 when anything is missing, 2 on bad usage or config.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { table } from "../../policies/core/table";
import { resolveConfig, type PlatformConfig } from "../../stacks/config";
import { exampleLines } from "../../stacks/config/examples";
import { platformSettings } from "../../stacks/read-config";
import { kubeManifests, synthStack } from "../synth";
import { readStackConfig, STACKS_DIR } from "../synth/stacks";
import { evaluate, examplesRow, requirementsOf, secretsToAsk, type CheckRow, type ClusterFacts } from "./checks";
import { gatherAwsFacts } from "./aws";
import { gatherFacts } from "./kubectl";
import { awsTargetsOf, awsUnreachableRow, evaluateNetwork } from "./network";

const USAGE = "usage: npm run preflight -- --stack <name> [--kubeconfig <file>] [--context <ctx>] [--examples-only | --aws-only] [--skip-aws]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      kubeconfig: { type: "string" },
      context: { type: "string" },
      "examples-only": { type: "boolean" },
      "aws-only": { type: "boolean" },
      "skip-aws": { type: "boolean" },
    },
  });
  const stack = values.stack;
  if (!stack || (values["aws-only"] && (values["examples-only"] || values["skip-aws"]))) {
    console.error(USAGE);
    return 2;
  }
  const file = join(STACKS_DIR, `Pulumi.${stack}.yaml`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    console.error(`preflight: no stack file stacks/Pulumi.${stack}.yaml`);
    return 2;
  }
  const examples = exampleLines(text);
  const engineConfig = readStackConfig(stack, file);
  let cfg;
  try {
    cfg = resolveConfig(stack, platformSettings(engineConfig));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  let rows: CheckRow[] = [];
  if (values["examples-only"]) {
    rows = [examplesRow({ stack, examples })];
  } else if (!values["aws-only"]) {
    const req = requirementsOf(cfg, kubeManifests((await synthStack(stack)).resources), examples, "platform:jwtKey" in engineConfig);
    let facts: ClusterFacts | Error;
    try {
      facts = gatherFacts({ kubeconfig: values.kubeconfig, context: values.context ?? cfg.kubernetes.context }, (ns) => secretsToAsk(req, ns));
    } catch (err) {
      facts = err as Error;
    }
    rows = evaluate(req, facts);
  }
  if (!values["examples-only"] && !values["skip-aws"]) rows.push(...(await networkRows(cfg)));
  console.log(renderRows(rows));
  const missing = rows.filter((r) => !r.ok).length;
  console.log(missing === 0 ? `\npreflight ${stack}: ready` : `\npreflight ${stack}: ${missing} of ${rows.length} checks failed`);
  return missing === 0 ? 0 : 1;
}

/**
 * The cross-region network rows of a prod region that joins others; none for any other stack.
 * The peers' clusters come from their stack files (`prod-<peer>`).
 */
async function networkRows(cfg: PlatformConfig): Promise<CheckRow[]> {
  if (cfg.stage !== "prod" || cfg.cassandra.peerRegions.length === 0) return [];
  const peers = cfg.cassandra.peerRegions.map((region) => {
    const peer = `prod-${region}`;
    return { stack: peer, context: resolveConfig(peer, platformSettings(readStackConfig(peer, join(STACKS_DIR, `Pulumi.${peer}.yaml`)))).kubernetes.context };
  });
  const targets = awsTargetsOf([{ stack: cfg.stack, context: cfg.kubernetes.context }, ...peers]);
  if (targets instanceof Error) return [awsUnreachableRow(targets)];
  try {
    return evaluateNetwork(await gatherAwsFacts(targets));
  } catch (err) {
    return [awsUnreachableRow(err as Error)];
  }
}

/** The table: status, check, found, how to fix (empty for passing checks). */
export function renderRows(rows: readonly CheckRow[]): string {
  return table([["", "check", "found", "how to fix"], ...rows.map((r) => [r.ok ? "ok" : "MISSING", r.check, r.found, r.ok ? "" : r.fix])]);
}

if (require.main === module) {
  main().then((code) => process.exit(code), (err: Error) => {
    console.error(err.stack ?? String(err));
    process.exit(2);
  });
}
