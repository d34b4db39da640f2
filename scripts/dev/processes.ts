/**
 * Child processes of `npm run dev`. Each runs in its own process group (a new session), so
 * Ctrl-C in the terminal reaches only the orchestrator, which then stops every group itself,
 * grandchildren (e.g. Vite's esbuild service) included.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

export interface ChildHandle {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** SIGTERM to the group, SIGKILL to it after `graceMs`; resolves when the leader is gone. */
  stop(graceMs?: number): Promise<void>;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/** Whether a process (or, with a negative id, any process of a group) still exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Starts `command` in a new session; stdout and stderr go to `logFile` (truncated first). */
export function spawnGroup(name: string, command: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd: string; logFile: string }): ChildHandle {
  const fd = openSync(opts.logFile, "w");
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  return {
    name,
    pid,
    logFile: opts.logFile,
    exited,
    async stop(graceMs = 10_000) {
      signalGroup(pid, "SIGTERM");
      const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      // The leader may exit before the rest of its group (e.g. a grandchild ignoring SIGTERM).
      for (let i = 0; i < 40 && alive(-pid); i++) await new Promise((r) => setTimeout(r, 50));
      signalGroup(pid, "SIGKILL");
    },
  };
}

/** Last lines of a log file, for an error message. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Runs a script to completion (own process group so a Ctrl-C meant for dev does not cut it short); rejects on a non-zero exit. */
export function runScript(command: string, args: readonly string[], opts: { cwd: string; logFile: string; signal?: AbortSignal }): Promise<string> {
  const handle = spawnGroup(args.join(" "), command, args, { cwd: opts.cwd, env: process.env, logFile: opts.logFile });
  const onAbort = () => void handle.stop(2_000);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  return handle.exited.then((code) => {
    opts.signal?.removeEventListener("abort", onAbort);
    if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}:\n${tail(opts.logFile)}`);
    return tail(opts.logFile, 1);
  });
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  /** Fails fast when a child this URL depends on has exited. */
  readonly child?: ChildHandle;
}

/** Polls `url` until it answers 2xx; rejects on timeout, abort, or the child's exit. */
export async function waitForUrl(url: string, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let childExit: number | string | undefined;
  void opts.child?.exited.then((c) => (childExit = c));
  let last = "no answer";
  while (Date.now() < deadline) {
    if (opts.signal?.aborted) throw new Error("aborted");
    if (childExit !== undefined) throw new Error(`${opts.child!.name} exited (${childExit}) before ${url} answered:\n${tail(opts.child!.logFile)}`);
    try {
      const res = await fetch(url, { headers: opts.headers, signal: AbortSignal.timeout(3_000) });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${opts.timeoutMs} ms (last: ${last})`);
}
