/**
 * Tests never download or build a tool: only `npm run setup` installs (PLATFORM_INSTALL=1).
 * Against an empty tool cache every tool entry point fails at once with one line naming the tool
 * and "run `npm run setup`", and leaves the cache as empty as it found it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "../..");

function inEmptyCache(cmd: string, args: string[], env: Record<string, string> = {}) {
  const cache = mkdtempSync(join(tmpdir(), "empty-cache-"));
  const e: Record<string, string | undefined> = { ...process.env, PLATFORM_CACHE_DIR: cache, ...env };
  delete e.PLATFORM_INSTALL;
  delete e.GOMODCACHE;
  delete e.GOCACHE;
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, env: e, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.trim(), ms: Date.now() - t0, left: readdirSync(cache) };
}

const setupLine = (tool: string) => new RegExp(`^(\\[[a-z:-]+\\] )?${tool.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not installed: run \`npm run setup\`$`);

describe("a missing tool fails at once, naming it, and installs nothing", () => {
  it.each([
    ["actionlint v1.7.12", "bash", ["scripts/actionlint.sh"]],
    ["vegeta v12.13.0", "bash", ["scripts/vegeta.sh", "path"]],
    ["cqlsh 6.2.2", "bash", ["scripts/cqlsh.sh", "path"]],
    ["medusa 0.31.0", "bash", ["scripts/medusa.sh", "path"]],
    ["moto 5.2.5", "bash", ["scripts/moto.sh", "path"]],
  ])("%s", (tool, cmd, args) => {
    const r = inEmptyCache(cmd, args as string[]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(setupLine(tool));
    expect(r.left).toEqual([]);
  });

  it("Cassandra (scripts/cassandra.sh start)", () => {
    const state = mkdtempSync(join(tmpdir(), "cassandra-state-"));
    const r = inEmptyCache("bash", ["scripts/cassandra.sh", "start"], { CASSANDRA_STATE_DIR: state, CASSANDRA_CQL_PORT: "9899", CASSANDRA_STORAGE_PORT: "7899" });
    expect(r.status).toBe(3);
    expect(r.stderr.split("\n").at(-1)).toMatch(setupLine("Cassandra 5.0.9 (Maven Central jars)"));
    expect(r.left).toEqual([]);
  });

  it("the local control plane (npm run cluster -- up)", () => {
    const r = inEmptyCache(process.execPath, ["--import", "tsx", "scripts/cluster/index.ts", "up"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(setupLine("etcd v3.6.5"));
    expect(r.left).toEqual([]);
  });

  it("dnsmasq (the custom-domain tests' DNS server, an apt package)", () => {
    const r = inEmptyCache(process.execPath, ["--import", "tsx", "-e", "import('./test/apps/dns-cache/dnsmasq.ts').then((m) => (m.startDnsmasq ?? m.default.startDnsmasq)([])).catch((e) => { console.error(e.message); process.exit(3); })"], {
      DNSMASQ_BIN: "/nonexistent/dnsmasq",
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(setupLine("dnsmasq"));
    expect(r.left).toEqual([]);
  });

  it("the Pulumi engine (npm run up:local)", () => {
    const r = inEmptyCache("bash", ["scripts/engine/up-local.sh"], { PLATFORM_ENGINE: "built" });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(setupLine("pulumi v3.248.0"));
  });
});
