import { DnsCacheConfigError, loadDnsCacheConfig, type DnsCacheConfig } from "./config.js";
import { createDnsCacheService } from "./service.js";

/** Entry point: load and validate config (exit 1 listing every problem), loop until SIGTERM. */
async function main(): Promise<void> {
  let config: DnsCacheConfig;
  try {
    config = loadDnsCacheConfig(process.env);
  } catch (err) {
    if (err instanceof DnsCacheConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const service = createDnsCacheService(config);
  await service.start();
  const stop = () => void service.stop().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

void main();
