#!/usr/bin/env node
// A stand-in kubectl for the preflight tests: answers `get <kind> [name]` from the JSON cluster
// in $FAKE_KUBE_CLUSTER, with kubectl's NotFound error text and exit code for a missing object.
import { readFileSync } from "node:fs";
const cluster = JSON.parse(readFileSync(process.env.FAKE_KUBE_CLUSTER, "utf8"));
const args = process.argv.slice(2).filter((a, i, all) => !a.startsWith("-") && !["--kubeconfig", "--context", "-o", "-n", "-l"].includes(all[i - 1]));
const ns = process.argv[process.argv.indexOf("-n") + 1];
const [verb, kind, name] = args;
if (verb !== "get" || cluster.unreachable) {
  process.stderr.write("The connection to the server localhost:8080 was refused - did you specify the right host or port?\n");
  process.exit(1);
}
const items = cluster[kind] ?? [];
if (!name) {
  process.stdout.write(JSON.stringify({ items }));
} else {
  const found = items.find((i) => i.metadata.name === name && (!process.argv.includes("-n") || i.metadata.namespace === ns));
  if (!found) {
    process.stderr.write(`Error from server (NotFound): ${kind} "${name}" not found\n`);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(found));
}
