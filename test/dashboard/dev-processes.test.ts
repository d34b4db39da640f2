import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alive, spawnGroup } from "../../scripts/dev/processes";
import { createDevRouter, ROLE_HEADER } from "../../scripts/dev/router";

const listen = (s: Server) => new Promise<number>((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)));
const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

describe("dev CQRS router", () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map(close));
  });

  /** A fake role that echoes what reached it. */
  const role = (name: string) =>
    createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ role: name, method: req.method, url: req.url, body, ryw: req.headers["x-read-your-writes"] ?? null }));
      });
    });

  it("forwards method, path, query, headers and body to the role the mesh rules pick", async () => {
    const command = role("command");
    const query = role("query");
    servers.push(command, query);
    const router = createDevRouter({ command: await listen(command), query: await listen(query) });
    servers.push(router);
    const base = `http://127.0.0.1:${await listen(router)}`;

    const read = await fetch(`${base}/api/query?source=a&day=2026-01-01`);
    expect(read.headers.get(ROLE_HEADER)).toBe("query");
    expect(await read.json()).toEqual({ role: "query", method: "GET", url: "/api/query?source=a&day=2026-01-01", body: "", ryw: null });

    const ryw = await fetch(`${base}/api/query?source=a`, { headers: { "x-read-your-writes": "true" } });
    expect(await ryw.json()).toMatchObject({ role: "command", ryw: "true" });

    const write = await fetch(`${base}/api/ingest`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"events":[]}' });
    expect(await write.json()).toMatchObject({ role: "command", method: "POST", body: '{"events":[]}' });

    const options = await fetch(`${base}/api/query`, { method: "OPTIONS" });
    expect(options.status).toBe(404);
  });

  it("answers 503 naming the role when it is down", async () => {
    const router = createDevRouter({ command: 1, query: 1 });
    servers.push(router);
    const res = await fetch(`http://127.0.0.1:${await listen(router)}/api/query`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/^telemetry-query unavailable/);
  });
});

describe("dev child processes", () => {
  it("stop() ends the whole process group, grandchildren included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dev-proc-"));
    try {
      // A shell with a background grandchild that ignores SIGTERM.
      const child = spawnGroup("sh", "bash", ["-c", "trap '' TERM; sleep 300 & echo started; wait"], { cwd: dir, env: process.env, logFile: join(dir, "log") });
      for (let i = 0; i < 50 && spawnSync("pgrep", ["-g", String(child.pid)]).stdout.toString().trim().split("\n").length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      const before = spawnSync("pgrep", ["-g", String(child.pid)], { encoding: "utf8" }).stdout.trim().split("\n");
      expect(before.length).toBeGreaterThanOrEqual(2);
      await child.stop(500);
      await new Promise((r) => setTimeout(r, 100));
      expect(alive(-child.pid)).toBe(false);
      for (const pid of before) expect(alive(Number(pid))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
