/**
 * The control plane's processes: each runs detached in its own process group with its output
 * in `<state>/logs/<name>.log` and its pid in `<state>/pids/<name>.pid`, so `down` (or a test's
 * teardown) can stop exactly what `up` started, even from another process.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const pidFile = (state: string, name: string) => join(state, "pids", `${name}.pid`);

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `command args` detached; returns its pid. */
export function startProcess(state: string, name: string, command: string, args: string[]): number {
  mkdirSync(join(state, "logs"), { recursive: true });
  mkdirSync(join(state, "pids"), { recursive: true });
  const out = openSync(join(state, "logs", `${name}.log`), "a");
  const child = spawn(command, args, { detached: true, stdio: ["ignore", out, out] });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  writeFileSync(pidFile(state, name), String(child.pid));
  return child.pid;
}

/** Pid of a process started here that still runs. */
export function runningPid(state: string, name: string): number | undefined {
  const f = pidFile(state, name);
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, "utf8"));
  return pid > 0 && alive(pid) ? pid : undefined;
}

/** Names of the processes with a pid file (running or not). */
export function knownProcesses(state: string): string[] {
  const dir = join(state, "pids");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".pid")).map((f) => f.slice(0, -4)) : [];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it is gone. */
export async function stopProcess(state: string, name: string, graceMs = 10_000): Promise<void> {
  const pid = runningPid(state, name);
  if (pid !== undefined) {
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-pid, s);
      } catch {
        /* already gone */
      }
    };
    signal("SIGTERM");
    const deadline = Date.now() + graceMs;
    while (alive(pid) && Date.now() < deadline) await sleep(100);
    if (alive(pid)) signal("SIGKILL");
    while (alive(pid)) await sleep(50);
  }
  rmSync(pidFile(state, name), { force: true });
}
