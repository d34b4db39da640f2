/**
 * npm run cluster -- up [--stack <name>]   start the local control plane shaped like the stack's
 *                                          stage and region (default: local); prints the kubeconfig
 * npm run cluster -- down                  stop every process it started, wipe its data
 * npm run cluster -- status                which processes run (exit 1 unless all do)
 */
import { parseStackName } from "../../stacks/config";
import { clusterDown, clusterStatus, clusterUp } from "./control-plane";

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flag = (name: string) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  switch (command) {
    case "up": {
      const stack = flag("stack") ?? "local";
      const parsed = parseStackName(stack);
      if (!parsed) throw new Error(`--stack: "${stack}" is not a stack name (local or <stage>-<region>)`);
      const t0 = Date.now();
      const cluster = await clusterUp(parsed.stage, parsed.region);
      const nodes = cluster.kubectl(["get", "nodes", "-o", "name"]).trim().split("\n").length;
      console.log(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${cluster.server}, ${nodes} ${parsed.stage} nodes over 3 zones`);
      console.log(`export KUBECONFIG=${cluster.kubeconfig}`);
      return 0;
    }
    case "down":
      await clusterDown();
      console.log("cluster down");
      return 0;
    case "status": {
      const s = clusterStatus();
      for (const p of s.running) console.log(`running  ${p}`);
      for (const p of s.stopped) console.log(`stopped  ${p}`);
      if (s.stopped.length === 0) console.log(`export KUBECONFIG=${s.kubeconfig}`);
      return s.stopped.length === 0 ? 0 : 1;
    }
    default:
      console.error("usage: npm run cluster -- up [--stack <name>] | down | status");
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
