// Vercel Build Output API v3 for the telemetry functions: each handler bundled by esbuild into
// one file with every dependency inside, so the function needs nothing installed next to it.
// The handlers live in ../telemetry; their npm dependencies are this project's (nodePaths).
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, ".vercel", "output");
const FUNCTIONS = { ingest: "functions/ingest.ts", query: "functions/query.ts" };
const settings = { maxDuration: 30, memory: 1024 };

rmSync(out, { recursive: true, force: true });
cpSync(join(here, "dist"), join(out, "static"), { recursive: true });
for (const [name, entry] of Object.entries(FUNCTIONS)) {
  const dir = join(out, "functions", "api", `${name}.func`);
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [join(here, entry)],
    outfile: join(dir, "index.js"),
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    nodePaths: [join(here, "node_modules")],
    logLevel: "warning",
  });
  writeFileSync(join(dir, ".vc-config.json"), JSON.stringify({ runtime: "nodejs22.x", handler: "index.js", launcherType: "Nodejs", shouldAddHelpers: false, ...settings }, null, 2));
}
writeFileSync(join(out, "config.json"), JSON.stringify({ version: 3 }, null, 2));
