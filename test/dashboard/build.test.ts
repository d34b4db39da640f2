/**
 * The dashboard is outside the root tsconfig (browser code, its own config): type-check it here,
 * the Vercel function re-exports included, and build it the way Vercel does (`vite build`).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = join(__dirname, "..", "..");
const DASHBOARD = join(REPO, "apps", "dashboard");
const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: REPO, encoding: "utf8", stdio: "pipe" });

describe("apps/dashboard", () => {
  it("type-checks (browser code, and the Vercel functions with the Vite config)", () => {
    const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
    run([tsc, "-p", join(DASHBOARD, "tsconfig.json")]);
    run([tsc, "-p", join(DASHBOARD, "tsconfig.node.json")]);
  }, 180_000);

  it("re-exports the telemetry handlers as its Vercel functions", async () => {
    const [ingest, query, appIngest, appQuery] = await Promise.all([
      import("../../apps/dashboard/functions/ingest"),
      import("../../apps/dashboard/functions/query"),
      import("../../apps/telemetry/api/ingest"),
      import("../../apps/telemetry/api/query"),
    ]);
    expect(ingest.default).toBe(appIngest.default);
    expect(query.default).toBe(appQuery.default);
  });

  it("gives its functions the component's defaults (30 s, 1024 MB) in the Build Output config", () => {
    const build = readFileSync(join(DASHBOARD, "build-functions.mjs"), "utf8");
    expect(build).toContain("const settings = { maxDuration: 30, memory: 1024 };");
    for (const f of ["ingest.ts", "query.ts"]) expect(existsSync(join(DASHBOARD, "functions", f))).toBe(true);
    expect(JSON.parse(readFileSync(join(DASHBOARD, "vercel.json"), "utf8"))).toMatchObject({ buildCommand: "npm run build" });
  });

  it("builds with vite into static files", () => {
    const out = mkdtempSync(join(tmpdir(), "dashboard-build-"));
    try {
      run([join(REPO, "node_modules", "vite", "bin", "vite.js"), "build", DASHBOARD, "--outDir", out, "--emptyOutDir", "--logLevel", "warn"]);
      const html = readFileSync(join(out, "index.html"), "utf8");
      expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
      const assets = readdirSync(join(out, "assets"));
      expect(assets.some((a) => a.endsWith(".js"))).toBe(true);
      expect(assets.some((a) => a.endsWith(".css"))).toBe(true);
      // The API base defaults to the Vercel functions' path.
      const js = assets.filter((a) => a.endsWith(".js")).map((a) => readFileSync(join(out, "assets", a), "utf8")).join("\n");
      expect(js).toContain("/api");
      expect(js).toContain("x-read-your-writes");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
