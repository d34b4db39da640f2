/**
 * `npm run dev [-- --port-base N] [--redis-port N] [--state-dir DIR] [--json]`: the whole platform on localhost.
 * Ctrl-C (SIGINT) or SIGTERM stops every child process group and the stores dev started.
 */
import { relative } from "node:path";
import { parseDevArgs, REPO_ROOT } from "./config";
import { startDev, type DevSession } from "./orchestrator";

async function main(): Promise<number> {
  const opts = parseDevArgs(process.argv.slice(2), process.cwd());
  const log = (line: string) => process.stdout.write(`[dev] ${line}\n`);
  const abort = new AbortController();
  let session: DevSession | undefined;
  const shutdown = new Promise<string>((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => resolve(sig));
  });
  void shutdown.then((sig) => {
    log(`${sig}: stopping`);
    abort.abort();
  });

  try {
    session = await startDev(opts, log, abort.signal);
  } catch (err) {
    if (abort.signal.aborted) {
      log("stopped before ready");
      return 130;
    }
    process.stderr.write(`[dev] failed: ${(err as Error).message}\n`);
    return 1;
  }
  const { urls } = session;
  // Repo-relative when inside the repo (shorter to copy), absolute otherwise.
  const rel = (p: string) => {
    const r = relative(REPO_ROOT, p);
    return r && !r.startsWith("..") ? r : p;
  };
  log("ready");
  log(`  dashboard      ${urls.dashboard}`);
  log(`  gateway        ${urls.gateway}   (API: ${urls.gatewayApi}/query, JWT required)`);
  log(`  telemetry API  ${urls.telemetry}/api/query?source=dashboard&day=${new Date().toISOString().slice(0, 10)}   (the mesh host, no auth)`);
  log(`  dev token: curl -H "authorization: Bearer $(cat ${rel(session.tokenFile)})" "${urls.gatewayApi}/query?source=dashboard&day=..."`);
  log(`  logs: ${rel(session.logDir)}/   Ctrl-C stops everything`);
  if (opts.json) {
    const info = { urls, tokenFile: session.tokenFile, started: session.started, pids: Object.fromEntries(session.children.map((c) => [c.name, c.pid])) };
    process.stdout.write(`DEV_READY ${JSON.stringify(info)}\n`);
  }

  // A child dying on its own ends the session too: half a platform is worse than none.
  const crashed = Promise.race(session.children.map((c) => c.exited.then((code) => `${c.name} exited (${code}); see ${rel(c.logFile)}`)));
  const reason = await Promise.race([shutdown.then(() => undefined), crashed]);
  if (reason) process.stderr.write(`[dev] ${reason}; stopping\n`);
  await session.stop();
  log("stopped");
  return reason ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[dev] ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
