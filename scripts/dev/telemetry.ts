/**
 * Child process of `npm run dev`: both telemetry roles (the Kubernetes server, same core
 * handlers as the Vercel functions) on two ports, and the CQRS router on a third one.
 * Ports and Cassandra settings come from the environment the orchestrator sets.
 */
import type { Server } from "node:http";
import { loadTelemetryConfig } from "../../apps/telemetry/src/config/index";
import { createLogger } from "../../apps/telemetry/src/log";
import { createTelemetryServer, type TelemetryServer } from "../../apps/telemetry/src/server";
import { DEV_TELEMETRY_ENV } from "./config";
import { createDevRouter } from "./router";

function port(name: string): number {
  const n = Number(process.env[name]);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a port number, got ${JSON.stringify(process.env[name])}`);
  return n;
}

async function main(): Promise<void> {
  const log = createLogger({ dev: true });
  const ports = { router: port(DEV_TELEMETRY_ENV.router), command: port(DEV_TELEMETRY_ENV.command), query: port(DEV_TELEMETRY_ENV.query) };
  const roles: TelemetryServer[] = [];
  for (const role of ["command", "query"] as const) {
    const config = { ...loadTelemetryConfig({ ...process.env, TELEMETRY_ROLE: role }), port: ports[role] };
    const app = createTelemetryServer({ config, log: log.child({ role }), defaultMetrics: false });
    await app.listen(config.port, "127.0.0.1");
    app.client.get().catch((err: unknown) => log.warn({ role, err: { message: (err as Error).message } }, "initial connect failed; will retry"));
    roles.push(app);
  }
  const router: Server = createDevRouter({ command: ports.command, query: ports.query });
  await new Promise<void>((resolve, reject) => router.once("error", reject).listen(ports.router, "127.0.0.1", resolve));
  log.info({ ports }, "telemetry roles and CQRS router listening");

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    router.close();
    router.closeAllConnections();
    Promise.all(roles.map((r) => r.shutdown(5_000))).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: unknown) => {
  process.stderr.write(`dev telemetry failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
