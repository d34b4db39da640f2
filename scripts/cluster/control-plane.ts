/**
 * A local Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok (fake nodes, pod lifecycle), with the Istio and prometheus-operator
 * CRDs installed and fake nodes shaped like one stage's node group. State (certificates, etcd
 * data, logs, pids, kubeconfig) lives under `.state/cluster/` by default.
 *
 * Used by `npm run cluster -- up|down|status` and by the tests that need a real API server.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Stage } from "../../stacks/config";
import { fakeNodes, STORAGE_CLASSES } from "./nodes";
import { ensurePki } from "./pki";
import { knownProcesses, runningPid, startProcess, stopProcess } from "./processes";
import { clusterTools, ROOT } from "./tools";

export interface ClusterOptions {
  /** State folder. @default "<repo>/.state/cluster" */
  readonly stateDir?: string;
  /** API server port on 127.0.0.1. @default 16443 (env PLATFORM_CLUSTER_PORT) */
  readonly apiPort?: number;
  /** etcd client port; the peer port is the next one. @default apiPort - 4064 (12379) */
  readonly etcdPort?: number;
}

export interface Cluster {
  readonly stateDir: string;
  readonly kubeconfig: string;
  readonly server: string;
  /** Runs the pinned kubectl against this cluster; returns stdout. */
  kubectl(args: string[], input?: string): string;
}

const SERVICE_CIDR = "10.96.0.0/16";
const SERVICE_IP = "10.96.0.1";
// Pod addresses kwok hands out: apart from the service range (kwok's default overlaps it).
const POD_CIDR = "10.244.0.0/16";
const PROCESSES = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"] as const;

function resolveOptions(o: ClusterOptions = {}) {
  const apiPort = o.apiPort ?? Number(process.env.PLATFORM_CLUSTER_PORT ?? 16443);
  return { stateDir: o.stateDir ?? join(ROOT, ".state", "cluster"), apiPort, etcdPort: o.etcdPort ?? apiPort - 4064 };
}

function handle(stateDir: string, apiPort: number): Cluster {
  const kubeconfig = join(stateDir, "kubeconfig");
  return {
    stateDir,
    kubeconfig,
    server: `https://127.0.0.1:${apiPort}`,
    kubectl: (args, input) =>
      execFileSync(clusterTools().kubectl, ["--kubeconfig", kubeconfig, ...args], { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 << 20 }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, logHint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000}s (log: ${logHint})`);
}

/** Which of the control plane's processes run. */
export function clusterStatus(o: ClusterOptions = {}): { running: string[]; stopped: string[]; kubeconfig: string } {
  const { stateDir } = resolveOptions(o);
  const running = PROCESSES.filter((p) => runningPid(stateDir, p) !== undefined);
  return { running, stopped: PROCESSES.filter((p) => !running.includes(p)), kubeconfig: join(stateDir, "kubeconfig") };
}

/** Stops every process (kwok first, etcd last: the API server hangs on exit without etcd) and wipes the data. */
export async function clusterDown(o: ClusterOptions = {}): Promise<void> {
  const { stateDir } = resolveOptions(o);
  const order = [...PROCESSES].reverse();
  const extra = knownProcesses(stateDir).filter((p) => !(order as string[]).includes(p));
  for (const p of [...extra, ...order]) await stopProcess(stateDir, p, p === "kube-apiserver" ? 20_000 : 10_000);
  rmSync(join(stateDir, "etcd"), { recursive: true, force: true });
}

/**
 * Starts the control plane (stopping a previous one in the same state dir), shaped like
 * `stage` in `region`; resolves once the API server answers, the CRDs are established and every
 * fake node is Ready.
 */
export async function clusterUp(stage: Stage, region: string, o: ClusterOptions = {}): Promise<Cluster> {
  const { stateDir, apiPort, etcdPort } = resolveOptions(o);
  const tools = clusterTools();
  await clusterDown(o);
  mkdirSync(stateDir, { recursive: true });
  const pki = ensurePki(join(stateDir, "pki"), SERVICE_IP);
  const cluster = handle(stateDir, apiPort);
  const log = (name: string) => join(stateDir, "logs", `${name}.log`);
  for (const p of PROCESSES) rmSync(log(p), { force: true });

  startProcess(stateDir, "etcd", tools.etcd, [
    "--name", "platform-local",
    "--data-dir", join(stateDir, "etcd"),
    "--listen-client-urls", `http://127.0.0.1:${etcdPort}`,
    "--advertise-client-urls", `http://127.0.0.1:${etcdPort}`,
    "--listen-peer-urls", `http://127.0.0.1:${etcdPort + 1}`,
    "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPort + 1}`,
    "--initial-cluster", `platform-local=http://127.0.0.1:${etcdPort + 1}`,
    // Throwaway test data: durability is not wanted, speed is.
    "--unsafe-no-fsync",
  ]);
  await waitFor("etcd", async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, 30_000, log("etcd"));
  ownsPort(stateDir, "etcd", etcdPort, log("etcd"));

  startProcess(stateDir, "kube-apiserver", tools.kubeApiserver, [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${apiPort}`,
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    "--authorization-mode=RBAC",
    "--allow-privileged=true",
    `--cert-dir=${join(stateDir, "pki", "apiserver-generated")}`,
  ]);
  writeFileSync(
    cluster.kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "platform-local", cluster: { server: cluster.server, "certificate-authority-data": readFileSync(pki.caCert).toString("base64") } }],
      users: [{ name: "platform-admin", user: { "client-certificate-data": readFileSync(pki.adminCert).toString("base64"), "client-key-data": readFileSync(pki.adminKey).toString("base64") } }],
      contexts: [{ name: "platform-local", context: { cluster: "platform-local", user: "platform-admin" } }],
      "current-context": "platform-local",
    }),
    { mode: 0o600 },
  );
  await waitFor("kube-apiserver", () => cluster.kubectl(["get", "--raw", "/readyz"]).trim() === "ok", 60_000, log("kube-apiserver"));
  ownsPort(stateDir, "kube-apiserver", apiPort, log("kube-apiserver"));

  startProcess(stateDir, "kube-controller-manager", tools.kubeControllerManager, [
    `--kubeconfig=${cluster.kubeconfig}`,
    `--service-account-private-key-file=${pki.saKey}`,
    `--root-ca-file=${pki.caCert}`,
    `--cluster-cidr=${POD_CIDR}`,
    "--allocate-node-cidrs=false",
    "--leader-elect=false",
    "--secure-port=0",
    "--use-service-account-credentials=false",
  ]);
  startProcess(stateDir, "kube-scheduler", tools.kubeScheduler, [`--kubeconfig=${cluster.kubeconfig}`, "--leader-elect=false", "--secure-port=0"]);
  startProcess(stateDir, "kwok", tools.kwok, [
    `--kubeconfig=${cluster.kubeconfig}`,
    "--manage-all-nodes=false",
    "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
    "--node-lease-duration-seconds=40",
    `--cidr=${POD_CIDR}`,
    "--node-ip=10.240.0.1",
    `--config=${kwokStages(stateDir, tools.kwokStages)}`,
  ]);

  const nodes = fakeNodes(stage, region);
  cluster.kubectl(["apply", "-f", "-"], nodes.objects.map((o) => stringify(o)).join("---\n"));
  cluster.kubectl(["apply", "--server-side", "-f", join(tools.crdDir, "istio.yaml"), "-f", join(tools.crdDir, "prometheus-operator.yaml")]);
  cluster.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=120s"]);
  cluster.kubectl(["wait", "--for=condition=Ready", "node", "--all", "--timeout=120s"]);
  // The ServiceAccount admission needs the `default` account the controller-manager creates.
  await waitFor("default ServiceAccount", () => cluster.kubectl(["get", "serviceaccount", "default", "-n", "default", "-o", "name"]).trim() !== "", 120_000, log("kube-controller-manager"));
  return cluster;
}

/**
 * The process that answers must be the one started here: a control plane left running by another
 * state dir (or a killed run) on the same port would answer the health check with its own data.
 */
function ownsPort(stateDir: string, name: string, port: number, logFile: string): void {
  if (runningPid(stateDir, name) === undefined) {
    throw new Error(`${name} exited at start (is port ${port} taken by another control plane? \`npm run cluster -- down\`, or PLATFORM_CLUSTER_PORT); log: ${logFile}`);
  }
}

/** A handle on a running cluster (no start); throws when it is not up. */
export function runningCluster(o: ClusterOptions = {}): Cluster {
  const { stateDir, apiPort } = resolveOptions(o);
  const { stopped } = clusterStatus(o);
  if (stopped.length > 0 || !existsSync(join(stateDir, "kubeconfig"))) throw new Error(`the local cluster is not up (stopped: ${stopped.join(", ")}): run \`npm run cluster -- up\``);
  return handle(stateDir, apiPort);
}

/** kwok's stages with the volume stages matching the stacks' StorageClasses, not only `kwok-volume`. */
function kwokStages(stateDir: string, source: string): string {
  const classes = [...STORAGE_CLASSES].map((c) => `'${c}'`).join(", ");
  const text = readFileSync(source, "utf8").replace(/\.spec\.storageClassName == 'kwok-volume'/g, `.spec.storageClassName in [${classes}]`);
  const out = join(stateDir, "kwok-stages.yaml");
  writeFileSync(out, text);
  return out;
}
