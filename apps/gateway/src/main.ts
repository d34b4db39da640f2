import { GatewayConfigError, loadGatewayConfig, readGatewayEnvFile, type GatewayConfig } from "./config/index.js";
import { createGateway } from "./server.js";

/** Entry point: load and validate config (exit 1 listing every problem), start, stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadGatewayConfig(process.env, readGatewayEnvFile(process.env));
  } catch (err) {
    if (err instanceof GatewayConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const gateway = createGateway(config);
  try {
    await gateway.start();
  } catch (err) {
    process.stderr.write(`gateway failed to start:\n  - ${(err as Error).message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.log.info({ logType: "GatewaySignal", content: signal });
    gateway.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

void main();
