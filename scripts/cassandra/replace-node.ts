/**
 * npm run cassandra:replace-node -- --stack <name> --pod <cassandra-pod> [--address <dead node's IP>]
 *   [--kubeconfig <file>] [--context <ctx>] [--timeout <seconds>] [--dry-run]
 *
 * Replaces a Cassandra node whose volume is lost (or whose node is gone for good) with
 * `replace_address_first_boot`, the only safe way: a pod that simply comes back on an empty
 * volume would rejoin as a fresh token owner and answer reads with nothing. Steps:
 *  1. find the dead node's address: the one node `nodetool status` (run in a live pod of the same
 *     data centre) reports Down, or `--address`; refuse an address that is Up;
 *  2. write it under the pod's name in the ConfigMap `cassandra-replace` (not managed by the
 *     stacks), which the pods' init container turns into `-Dcassandra.replace_address_first_boot`;
 *  3. delete the pod's PVC and the pod: the StatefulSet recreates both, the new node streams the
 *     dead node's ranges from the replicas, and only then opens CQL (readiness);
 *  4. wait until the pod is Ready, remove its ConfigMap entry (the ConfigMap when empty).
 * Afterwards run a repair of the node (`nodetool repair`), as after any replacement.
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { resolveConfig } from "../../stacks/config";
import { platformSettings } from "../../stacks/read-config";
import { REPLACE_CONFIG_MAP } from "../../components/cassandra/scripts";
import { COMPONENT, NAME } from "../../components/cassandra/workload";
import { standardLabels } from "../../components/shared/labels";
import { readStackConfig } from "../synth/stacks";

const USAGE = "usage: npm run cassandra:replace-node -- --stack <name> --pod <cassandra-pod> [--address <ip>] [--kubeconfig <file>] [--context <ctx>] [--timeout <seconds>] [--dry-run]";
const say = (s: string) => console.error(`[replace-node] ${s}`);

export interface NodeStatus {
  readonly state: "U" | "D";
  readonly address: string;
  readonly dataCenter: string;
}

/** The nodes of `nodetool status` output, each with its data centre. */
export function parseNodetoolStatus(text: string): NodeStatus[] {
  const out: NodeStatus[] = [];
  let dc = "";
  for (const line of text.split("\n")) {
    const d = /^Datacenter:\s*(\S+)/.exec(line);
    if (d) dc = d[1];
    const n = /^([UD])[NLJM]\s+(\S+)\s/.exec(line);
    if (n) out.push({ state: n[1] as "U" | "D", address: n[2], dataCenter: dc });
  }
  return out;
}

/** The dead node to replace in `dataCenter`: `given` when it is known and Down, else the only Down node. */
export function deadAddress(nodes: readonly NodeStatus[], dataCenter: string, given?: string): string {
  if (given) {
    const node = nodes.find((n) => n.address === given);
    if (node?.state === "U") throw new Error(`${given} is Up in the ring: replacing a live node would take its ranges twice; stop it first`);
    if (nodes.length > 0 && !node) throw new Error(`${given} is not a node of the ring (nodetool status lists ${nodes.map((n) => n.address).join(", ")})`);
    return given;
  }
  const down = nodes.filter((n) => n.state === "D" && n.dataCenter === dataCenter);
  if (down.length !== 1) throw new Error(`${down.length} nodes of ${dataCenter} are Down (${down.map((n) => n.address).join(", ") || "none"}): name the dead one with --address`);
  return down[0].address;
}

const IPV4_OR_6 = /^[0-9a-fA-F:.]+$/;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      pod: { type: "string" },
      address: { type: "string" },
      kubeconfig: { type: "string" },
      context: { type: "string" },
      timeout: { type: "string", default: "7200" },
      "dry-run": { type: "boolean" },
    },
  });
  if (!values.stack || !values.pod || !/^cassandra-[a-z0-9]+-\d+$/.test(values.pod) || (values.address && !IPV4_OR_6.test(values.address))) {
    console.error(USAGE);
    return 2;
  }
  const cfg = resolveConfig(values.stack, platformSettings(readStackConfig(values.stack)));
  const ns = cfg.namespace;
  const base = [...(values.kubeconfig ? ["--kubeconfig", values.kubeconfig] : []), ...((values.context ?? cfg.kubernetes.context) ? ["--context", (values.context ?? cfg.kubernetes.context)!] : []), "-n", ns];
  // Every call is bounded (a hung exec must not hold the replacement forever); `wait`/`delete` bound themselves.
  const kubectl = (args: string[], input?: string) => execFileSync("kubectl", [...base, ...args], { encoding: "utf8", input, timeout: 11 * 60_000, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
  const pod = values.pod;

  kubectl(["get", "pod", pod]); // fails with kubectl's own message when there is no such pod
  const dataCenter = cfg.region; // each region is one data centre named after it
  // A live peer of the same data centre answers nodetool (the pods' JMX needs the password file).
  let nodes: NodeStatus[] = [];
  const peers = (JSON.parse(kubectl(["get", "pods", "-l", `app.kubernetes.io/name=${NAME},app.kubernetes.io/component=${COMPONENT}`, "-o", "json"])) as { items: { metadata: { name: string }; status: { conditions?: { type: string; status: string }[] } }[] }).items
    .filter((p) => p.metadata.name !== pod && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  if (peers.length > 0) {
    try {
      const status = kubectl(["--request-timeout=60s", "exec", peers[0].metadata.name, "-c", "cassandra", "--", "sh", "-c", 'nodetool -u "$(cut -d" " -f1 /etc/cassandra/jmxremote.password)" -pwf /etc/cassandra/jmxremote.password status']);
      nodes = parseNodetoolStatus(status);
    } catch (err) {
      if (!values.address) throw new Error(`nodetool status in ${peers[0].metadata.name} failed (${(err as Error).message.split("\n")[0]}): name the dead node with --address`);
      say(`nodetool status unavailable in ${peers[0].metadata.name}; using --address ${values.address} unchecked`);
    }
  } else if (!values.address) {
    throw new Error("no Ready Cassandra pod to ask nodetool status: name the dead node with --address");
  }
  const address = deadAddress(nodes, dataCenter, values.address);
  const sts = pod.replace(/-\d+$/, "");
  const pvc = `data-${pod}`;
  say(`${pod} (StatefulSet ${sts}, PVC ${pvc}) will replace the dead node ${address} of ${dataCenter}`);
  if (values["dry-run"]) return 0;

  // 2. The ConfigMap entry (merged into an existing ConfigMap: two replacements may overlap).
  const existing = (() => {
    try {
      return (JSON.parse(kubectl(["get", "configmap", REPLACE_CONFIG_MAP, "-o", "json"])) as { data?: Record<string, string> }).data ?? {};
    } catch {
      return undefined;
    }
  })();
  const data = { ...(existing ?? {}), [pod]: address };
  kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: REPLACE_CONFIG_MAP, namespace: ns, labels: { ...standardLabels(NAME, COMPONENT), "app.kubernetes.io/managed-by": "replace-node" } }, data }));
  // 3. The PVC first (kept until the pod is gone by its protection finalizer), then the pod.
  kubectl(["delete", "pvc", pvc, "--wait=false", "--ignore-not-found"]);
  kubectl(["delete", "pod", pod, "--wait=true", "--timeout=600s"]);
  say(`deleted ${pvc} and ${pod}; waiting for the new ${pod} to stream and become Ready (up to ${values.timeout}s)`);
  // 4. Ready = CQL open = the replacement finished streaming.
  const deadline = Date.now() + Number(values.timeout) * 1000;
  for (;;) {
    try {
      kubectl(["wait", "--for=condition=Ready", `pod/${pod}`, "--timeout=30s"]);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${pod} not Ready after ${values.timeout}s; the ConfigMap entry stays so a restart still replaces (${(err as Error).message.split("\n")[0]})`);
    }
  }
  const newPvc = JSON.parse(kubectl(["get", "pvc", pvc, "-o", "json"])) as { metadata: { uid: string } };
  const rest = Object.fromEntries(Object.entries(JSON.parse(kubectl(["get", "configmap", REPLACE_CONFIG_MAP, "-o", "json"])).data ?? {}).filter(([k]) => k !== pod));
  if (Object.keys(rest).length === 0) kubectl(["delete", "configmap", REPLACE_CONFIG_MAP]);
  else kubectl(["patch", "configmap", REPLACE_CONFIG_MAP, "--type=json", "-p", JSON.stringify([{ op: "remove", path: `/data/${pod}` }])]);
  say(`${pod} is Ready on a new volume (PVC uid ${newPvc.metadata.uid}); entry removed. Next: nodetool repair on ${pod}.`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`[replace-node] ${err.message}`);
      process.exit(1);
    },
  );
}
