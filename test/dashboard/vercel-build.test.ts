/**
 * The Vercel project as Vercel builds it: the folder the TelemetryFunctions component uploads
 * (`apps/`, project root `dashboard`), built by the real `vercel build` (the `vercel` npm
 * package, offline, with a generated .vercel/project.json), then each built function loaded on
 * its own, away from any node_modules, and sent one request.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, FUNCTION_AUTH_TEST_ENV } from "../support/function-tokens";

const REPO = join(__dirname, "..", "..");
const VERCEL = join(REPO, "node_modules", ".bin", "vercel");
const run = promisify(execFile);
const stage = mkdtempSync(join(tmpdir(), "vercel-build-"));
const upload = join(stage, "apps");
const output = join(upload, ".vercel", "output");

beforeAll(async () => {
  if (!existsSync(VERCEL)) throw new Error("vercel CLI not installed: run `npm run setup`");
  // What getProjectDirectory reads (apps/, minus what .vercelignore drops).
  cpSync(join(REPO, "apps"), upload, { recursive: true, filter: (src) => !["node_modules", "dist", ".vercel"].includes(basename(src)) });
  // Vercel's install step (`npm install` in the project root, apps/dashboard): the same packages
  // the repo's lockfile installed, so the test downloads nothing. Only the project root gets them.
  symlinkSync(join(REPO, "node_modules"), join(upload, "dashboard", "node_modules"));
  // The project as the component creates it: root directory `dashboard`, framework vite.
  mkdirSync(join(upload, ".vercel"));
  const settings = { rootDirectory: "dashboard", framework: "vite", installCommand: "", nodeVersion: "22.x" };
  writeFileSync(join(upload, ".vercel", "project.json"), JSON.stringify({ projectId: "prj_offline", orgId: "team_offline", settings }));
  await run(VERCEL, ["build", "--yes"], { cwd: upload, env: { ...process.env, VERCEL_TELEMETRY_DISABLED: "1", CI: "1" }, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 }).catch((err) => {
    throw new Error(`vercel build failed:\n${(err as { stderr?: string }).stderr ?? err}`);
  });
}, 300_000);

afterAll(() => rmSync(stage, { recursive: true, force: true }));

/** Copies a built function elsewhere, loads its handler in a fresh node and serves one request. */
async function serveOnce(fn: string, method: string, path: string, body?: string, authorization?: string): Promise<{ status: number; body: string }> {
  const isolated = mkdtempSync(join(tmpdir(), `${fn}-func-`));
  cpSync(join(output, "functions", "api", `${fn}.func`), isolated, { recursive: true });
  const script = `
    const http = require("node:http");
    const config = require("./.vc-config.json");
    const mod = require("./" + config.handler);
    const handler = mod.default ?? mod;
    const server = http.createServer((req, res) => Promise.resolve(handler(req, res)).catch((e) => { res.statusCode = 599; res.end(String(e)); }));
    server.listen(0, "127.0.0.1", async () => {
      const r = await fetch("http://127.0.0.1:" + server.address().port + ${JSON.stringify(path)}, { method: ${JSON.stringify(method)}, body: ${JSON.stringify(body ?? null)}, headers: { "content-type": "application/json", ...${JSON.stringify(authorization ? { authorization } : {})} } });
      process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() }));
      process.exit(0);
    });`;
  try {
    const { stdout } = await run(process.execPath, ["-e", script], { cwd: isolated, env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "silent", ...FUNCTION_AUTH_TEST_ENV }, timeout: 30_000 });
    return JSON.parse(stdout) as { status: number; body: string };
  } finally {
    rmSync(isolated, { recursive: true, force: true });
  }
}

describe("vercel build of the dashboard project (offline)", () => {
  it("outputs the static dashboard and one function per telemetry handler", () => {
    expect(readFileSync(join(output, "static", "index.html"), "utf8")).toContain('<div id="root">');
    for (const fn of ["ingest", "query"]) {
      const config = JSON.parse(readFileSync(join(output, "functions", "api", `${fn}.func`, ".vc-config.json"), "utf8"));
      expect(config).toMatchObject({ launcherType: "Nodejs", maxDuration: 30, memory: 1024, shouldAddHelpers: false });
    }
  });

  it("each built function loads on its own (no node_modules next to it), verifies the token with the bundled gateway verifier, and answers a bad request with 400", async () => {
    const anonymous = await serveOnce("ingest", "POST", "/api/ingest", "{not json");
    expect(anonymous.status, anonymous.body).toBe(401);
    expect(JSON.parse(anonymous.body)).toEqual({ error: "unauthorized", reason: "missing_token" });
    const authorization = await bearer({ sub: "alice" });
    const query = await serveOnce("query", "GET", "/api/query", undefined, authorization);
    expect(query.status, query.body).toBe(400);
    const ingest = await serveOnce("ingest", "POST", "/api/ingest", "{not json", authorization);
    expect(ingest.status, ingest.body).toBe(400);
  });
});
