/**
 * Paths of the control plane's binaries, as built by scripts/cluster/build-tools.sh (versions
 * and cache locations come from scripts/cluster/versions.sh, the one place they are pinned).
 * Nothing here builds: a missing tool throws one line naming it and "run `npm run setup`".
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "../..");

export interface ClusterTools {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kubectl: string;
  readonly kwok: string;
  /** Folder with istio.yaml and prometheus-operator.yaml (CRDs). */
  readonly crdDir: string;
  /** kwok's Stage config (node heartbeat, pod ready/complete/delete, volumes). */
  readonly kwokStages: string;
  readonly kubeVersion: string;
}

export class ToolMissingError extends Error {
  constructor(tool: string) {
    super(`${tool} is not installed: run \`npm run setup\``);
    this.name = "ToolMissingError";
  }
}

let cached: ClusterTools | undefined;

function versions(): Record<string, string> {
  const out = execFileSync("bash", ["-c", `source "${join(ROOT, "scripts/cluster/versions.sh")}" && echo "$KUBE_VERSION|$KUBE_BIN|$KWOK_BIN|$ISTIO_BIN|$CRD_DIR|$KWOK_STAGES|$ETCD_BIN|$ETCD_VERSION"`], { encoding: "utf8" });
  const [kubeVersion, kubeBin, kwokBin, istioBin, crdDir, kwokStages, etcdBin, etcdVersion] = out.trim().split("|");
  return { kubeVersion, kubeBin, kwokBin, istioBin, crdDir, kwokStages, etcdBin, etcdVersion };
}

/** istioctl (not needed by the control plane itself); throws {@link ToolMissingError} when missing. */
export function istioctlBin(): string {
  const bin = join(versions().istioBin, "istioctl");
  if (!existsSync(bin)) throw new ToolMissingError("istioctl");
  return bin;
}

/** The control plane's tools; throws {@link ToolMissingError} for the first one missing. */
export function clusterTools(): ClusterTools {
  if (cached) return cached;
  const v = versions();
  const need = (path: string, tool: string) => {
    if (!existsSync(path)) throw new ToolMissingError(tool);
    return path;
  };
  cached = {
    etcd: need(join(v.etcdBin, "etcd"), `etcd ${v.etcdVersion}`),
    kubeApiserver: need(join(v.kubeBin, "kube-apiserver"), `kube-apiserver v${v.kubeVersion}`),
    kubeControllerManager: need(join(v.kubeBin, "kube-controller-manager"), `kube-controller-manager v${v.kubeVersion}`),
    kubeScheduler: need(join(v.kubeBin, "kube-scheduler"), `kube-scheduler v${v.kubeVersion}`),
    kubectl: need(join(v.kubeBin, "kubectl"), `kubectl v${v.kubeVersion}`),
    kwok: need(join(v.kwokBin, "kwok"), "kwok"),
    crdDir: need(join(v.crdDir, ".complete"), "the Istio and prometheus-operator CRDs") && v.crdDir,
    kwokStages: need(v.kwokStages, "kwok's Stage config"),
    kubeVersion: v.kubeVersion,
  };
  return cached;
}
