import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Port of the shared test Redis on 127.0.0.1 (scripts/redis.sh). */
    redisPort: number;
  }
}

const script = resolve(__dirname, "../../../scripts/redis.sh");

function redis(...args: string[]): number {
  return spawnSync("bash", [script, ...args], { stdio: "inherit" }).status ?? 1;
}

/** Starts the shared Redis unless it already runs; stops it at teardown only if started here. */
export default function setup(project: TestProject): () => void {
  const port = Number(process.env.GATEWAY_TEST_REDIS_PORT ?? 6390);
  const wasRunning = spawnSync("bash", [script, "status", String(port)], { stdio: "ignore" }).status === 0;
  if (!wasRunning) {
    if (redis("start", String(port)) !== 0) throw new Error(`could not start redis on 127.0.0.1:${port}`);
  }
  project.provide("redisPort", port);
  return () => {
    if (!wasRunning) redis("stop", String(port));
  };
}
