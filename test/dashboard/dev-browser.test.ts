/**
 * `npm run dev` end to end: start the orchestrator (Redis and Cassandra through the same scripts
 * as the app tests; a Cassandra already running is reused and left alone), fetch every printed
 * URL, drive the dashboard in headless Chromium (send an event, see it pending then confirmed),
 * keep a screenshot, then Ctrl-C and check that no process of the session is left.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = join(__dirname, "..", "..");
const ARTIFACTS = join(REPO, "test-artifacts", "dashboard");
const CONFIRM_TIMEOUT_MS = 8_000;

interface ReadyInfo {
  urls: { dashboard: string; gateway: string; gatewayApi: string; telemetry: string };
  tokenFile: string;
  started: { redis: boolean; cassandra: boolean };
  pids: Record<string, number>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer().once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** Six consecutive free ports (dev uses base..base+4, Redis base+5), away from the defaults a developer may be using. */
async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => portFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error("no free port range found");
}

/** Running processes with their process-group ids (zombies excluded: they are gone, only not yet reaped). */
function processTable(): { pid: number; pgid: number; args: string }[] {
  const out = spawnSync("ps", ["-eo", "pid=,pgid=,stat=,args="], { encoding: "utf8" }).stdout;
  return out
    .split("\n")
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && !m[3]!.startsWith("Z"))
    .map((m) => ({ pid: Number(m[1]), pgid: Number(m[2]), args: m[4]! }));
}

const exitOf = (p: ChildProcess) => new Promise<number | string>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve(p.exitCode ?? p.signalCode!) : p.once("exit", (c, s) => resolve(c ?? s!))));

describe("npm run dev and the dashboard in headless Chromium", () => {
  let dev: ChildProcess;
  let output = "";
  let info: ReadyInfo;
  let browser: Browser | undefined;
  let page: Page;
  let stateDir: string;
  let redisPort: number;
  const source = `browser-test-${Date.now().toString(36)}`;
  /** Lines the telemetry roles logged about Cassandra being unreachable so far. */
  const outageLines = () => {
    try {
      return readFileSync(join(stateDir, "logs", "telemetry.log"), "utf8").split("\n").filter((l) => l.includes("Cassandra unavailable")).length;
    } catch {
      return 0;
    }
  };
  /** Polls the telemetry host's readiness (the query role connected to Cassandra). */
  const storageReady = () =>
    expect.poll(() => fetch(`${info.urls.telemetry}/readyz`).then((r) => r.status, () => 0), { timeout: 300_000, interval: 1_000 }).toBe(200);
  /**
   * Cassandra is shared with the telemetry app tests, whose fault tests stop and restart it
   * (possibly while this file runs in the same `npm test`). A scenario that failed while the
   * telemetry roles saw Cassandra down runs once more after it is back; any other failure stands.
   */
  const outageTolerant = async (scenario: () => Promise<void>) => {
    await storageReady();
    const before = outageLines();
    try {
      await scenario();
    } catch (err) {
      if (outageLines() === before) throw err;
      await storageReady();
      await scenario();
    }
  };
  /** `status: text` of the send form's status line (the text explains a failure). */
  const sendStatus = async () => {
    const el = page.getByTestId("send-status");
    return `${await el.getAttribute("data-status")}: ${await el.textContent()}`;
  };

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "dev-test-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    const base = await freePortBase();
    // A Redis of its own, so the test also covers starting and stopping it (Cassandra is shared).
    redisPort = base + 5;
    // Exactly what a developer types; its own process group plays the terminal's foreground group.
    dev = spawn("npm", ["run", "--silent", "dev", "--", "--port-base", String(base), "--redis-port", String(redisPort), "--state-dir", stateDir, "--json"], {
      cwd: REPO,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, VITE_CONFIRM_TIMEOUT_MS: String(CONFIRM_TIMEOUT_MS) },
    });
    info = await new Promise<ReadyInfo>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /^DEV_READY (.*)$/m.exec(output);
        if (m) resolve(JSON.parse(m[1]!) as ReadyInfo);
      };
      dev.stdout!.on("data", onData);
      dev.stderr!.on("data", onData);
      dev.once("exit", (code) => reject(new Error(`dev exited (${code}) before ready:\n${output}`)));
    });
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
    page.setDefaultTimeout(10_000);
  }, 480_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (dev && dev.exitCode === null && dev.signalCode === null) {
      process.kill(-dev.pid!, "SIGINT");
      const t = setTimeout(() => process.kill(-dev.pid!, "SIGKILL"), 60_000);
      await exitOf(dev);
      clearTimeout(t);
    }
    // The session's logs are kept next to the screenshot for a failed run.
    cpSync(join(stateDir, "logs"), join(ARTIFACTS, "logs"), { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
    if (redisPort) rmSync(join(REPO, ".state", "redis", String(redisPort)), { recursive: true, force: true });
  }, 120_000);

  it("prints URLs that answer as soon as it says ready", async () => {
    expect(output).toMatch(/\[dev\] ready/);
    for (const url of [info.urls.dashboard, info.urls.gateway, `${info.urls.telemetry}/healthz`]) {
      expect(output).toContain(url.replace(/\/healthz$/, ""));
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
    }
    await storageReady();
    const html = await (await fetch(info.urls.dashboard)).text();
    expect(html).toContain('<div id="root">');
    // The gateway requires the JWT; the dashboard's proxy adds it.
    const day = new Date().toISOString().slice(0, 10);
    expect((await fetch(`${info.urls.gatewayApi}/query?source=${source}&day=${day}`)).status).toBe(401);
    expect((await fetch(`${info.urls.dashboard}api/telemetry/query?source=${source}&day=${day}`)).status).toBe(200);
  });

  it("routes like the mesh: reads to the query role, read-your-writes and writes to the command role", async () => {
    const day = new Date().toISOString().slice(0, 10);
    const q = `${info.urls.telemetry}/api/query?source=${source}&day=${day}`;
    expect((await fetch(q)).headers.get("x-dev-telemetry-role")).toBe("query");
    expect((await fetch(q, { headers: { "x-read-your-writes": "true" } })).headers.get("x-dev-telemetry-role")).toBe("command");
    const bad = await fetch(`${info.urls.telemetry}/api/ingest`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(bad.status).toBe(400); // validated by the command role, nothing written
    expect(bad.headers.get("x-dev-telemetry-role")).toBe("command");
  });

  it("shows the empty state, then a sent event at once as pending, then confirmed", () => outageTolerant(async () => {
    await page.unrouteAll({ behavior: "ignoreErrors" });
    // Once the event is sent, hold every query back a little so the pending state is observable.
    let hold = false;
    await page.route(
      (url) => url.pathname.endsWith("/query"),
      async (route) => {
        if (hold) await new Promise((r) => setTimeout(r, 1_500));
        await route.continue();
      },
    );
    await page.goto(info.urls.dashboard);
    await page.getByTestId("filter-source").fill(source);
    // (A retry after an outage may find an event stored by the first attempt.)
    await expect.poll(() => page.getByTestId("empty").or(page.getByTestId("events")).textContent(), { timeout: 30_000 }).toMatch(new RegExp(`No events from "${source}"|${source}`));

    const message = `hello from the browser test ${Date.now()}`;
    await page.getByTestId("send-level").selectOption("warn");
    await page.getByTestId("send-message").fill(message);
    hold = true;
    await page.getByTestId("send-button").click();
    const row = page.getByTestId("event-row").filter({ hasText: message });
    await expect.poll(sendStatus, { timeout: 5_000 }).toMatch(/^(sending|pending):/);
    expect(await row.getAttribute("data-status")).toMatch(/^(sending|pending)$/);
    await expect.poll(sendStatus, { timeout: 40_000 }).not.toMatch(/^(sending|pending):/);
    expect(await sendStatus()).toMatch(/^confirmed: Confirmed/);
    expect(await row.getAttribute("data-status")).toBe("confirmed");
    expect(await row.locator(".badge.level-warn").textContent()).toBe("warn");
    await page.unrouteAll({ behavior: "ignoreErrors" });
  }), 600_000);

  it("refreshes without replacing the rows, filters by level, and keeps the list on a failed refresh", () => outageTolerant(async () => {
    await page.unrouteAll({ behavior: "ignoreErrors" });
    const first = await page.getByTestId("event-row").first().elementHandle();
    const updated = await page.getByTestId("refresh-state").textContent();
    await expect.poll(() => page.getByTestId("refresh-state").textContent(), { timeout: 30_000 }).not.toBe(updated);
    expect(await first!.evaluate((el) => el.isConnected)).toBe(true); // same DOM node: no flicker

    await page.getByTestId("filter-level").selectOption("error");
    await expect.poll(() => page.getByTestId("empty").isVisible(), { timeout: 30_000 }).toBe(true);
    await page.getByTestId("filter-level").selectOption("");
    await expect.poll(() => page.getByTestId("event-row").count(), { timeout: 30_000 }).toBeGreaterThan(0);

    await page.route((url) => url.pathname.endsWith("/query"), (route) => route.fulfill({ status: 503, contentType: "application/json", body: '{"error":"storage unavailable"}' }));
    await expect.poll(() => page.getByTestId("error").textContent(), { timeout: 30_000 }).toContain("HTTP 503 storage unavailable");
    expect(await page.getByTestId("event-row").count()).toBeGreaterThan(0);
    await page.unrouteAll({ behavior: "ignoreErrors" });
    await expect.poll(() => page.getByTestId("error").count(), { timeout: 30_000 }).toBe(0);
  }), 600_000);

  it("says clearly when a sent event is not confirmed in time", () => outageTolerant(async () => {
    await page.unrouteAll({ behavior: "ignoreErrors" });
    // The query "never" returns the event: it is cut out of every answer until the route is removed.
    const message = `not confirmed in time ${Date.now()}`;
    await page.route(
      (url) => url.pathname.endsWith("/query"),
      async (route) => {
        const res = await route.fetch();
        const page = (await res.json()) as { events: { message: string }[]; next: string | null };
        await route.fulfill({ response: res, json: { ...page, events: page.events.filter((e) => e.message !== message) } });
      },
    );
    await page.getByTestId("send-message").fill(message);
    await page.getByTestId("send-button").click();
    await expect.poll(sendStatus, { timeout: CONFIRM_TIMEOUT_MS + 20_000 }).not.toMatch(/^(sending|pending):/);
    expect(await sendStatus()).toMatch(new RegExp(`^timeout: Not confirmed after ${CONFIRM_TIMEOUT_MS / 1000} s`));
    await page.unrouteAll({ behavior: "ignoreErrors" });
    const row = page.getByTestId("event-row").filter({ hasText: message });
    expect(await row.getAttribute("data-status")).toBe("timeout");
    // The event was stored, so once the query returns it the next list refresh confirms it after all.
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 30_000 }).toBe("confirmed");
    expect(await sendStatus()).toMatch(/^confirmed: Confirmed/);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png") });
  }), 600_000);

  it("stops every process on Ctrl-C (SIGINT) and leaves none behind", async () => {
    await browser!.close();
    browser = undefined;
    const groups = Object.values(info.pids);
    expect(groups.length).toBe(3);
    for (const pid of groups) expect(processTable().some((p) => p.pid === pid)).toBe(true);
    // Ctrl-C in a terminal: SIGINT to every process of the foreground group (npm, sh, tsx, node).
    process.kill(-dev.pid!, "SIGINT");
    // npm re-raises the SIGINT on itself once its child is done (a shell would report 130).
    expect([0, "SIGINT"]).toContain(await exitOf(dev));
    // Nothing of the session may remain: not npm's group (npm, sh, tsx, the orchestrator), not the children's groups.
    let left: { pid: number; pgid: number; args: string }[] = [];
    for (let i = 0; i < 240; i++) {
      left = processTable().filter((p) => groups.includes(p.pgid) || groups.includes(p.pid) || p.pgid === dev.pid || p.pid === dev.pid);
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(left).toEqual([]);
    expect(output).toMatch(/\[dev\] SIGINT: stopping[\s\S]*\[dev\] stopped\n/);
    for (const url of [info.urls.dashboard, info.urls.gateway, `${info.urls.telemetry}/readyz`]) {
      await expect(fetch(url), url).rejects.toThrow();
    }
    expect(info.started.redis).toBe(true);
    expect(spawnSync("bash", [join(REPO, "scripts", "redis.sh"), "status", String(redisPort)]).status).not.toBe(0);
    // Cassandra is shared (others may start it again at any time): check that dev's own stop ran.
    if (info.started.cassandra) expect(readFileSync(join(stateDir, "logs", "cassandra-stop.log"), "utf8")).toMatch(/stopped|not running/);
  }, 120_000);
});
