/**
 * The real Pulumi engine, offline (issue #9): `npm run up:local` against a throwaway file backend.
 * Nothing is skipped: without cached binaries, beforeAll builds them from the Go module proxy
 * (scripts/engine/build-engine.sh, cached per version in ~/.cache/platform/pulumi).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { kubeManifests, synthStack } from "../../scripts/synth";

const ROOT = resolve(__dirname, "../..");
const MINUTE = 60_000;

interface Run {
  code: number;
  output: string;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? -1, output }));
  });
}

const upLocal = (env: Record<string, string>, args: string[] = []) => run("bash", ["scripts/engine/up-local.sh", ...args], { PLATFORM_ENGINE: "built", ...env });

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** `Kind namespace/name` of every object in the rendered directory. */
function renderedKeys(dir: string): string[] {
  const keys: string[] = [];
  for (const file of listFiles(dir).filter((f) => f.endsWith(".yaml"))) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      const obj = doc.toJS() as { kind: string; metadata: { name?: string; namespace?: string } } | null;
      if (obj) keys.push(`${obj.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name ?? ""}`);
    }
  }
  return keys.sort();
}

const work = mkdtempSync(join(tmpdir(), "platform-engine-"));
const local = { PULUMI_LOCAL_DIR: join(work, "local"), RENDER_DIR: join(work, "local", "manifests") };
let first: Run;

beforeAll(async () => {
  // Cold: builds the CLI and the Node.js host (tens of minutes on 2 cores); warm: a few seconds.
  const build = await run("bash", ["scripts/engine/build-engine.sh", "all"]);
  expect(build.code, build.output).toBe(0);
  first = await upLocal(local);
}, 120 * MINUTE);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm run up:local (real engine, file backend, manifests rendered to a directory)", () => {
  it("deploys the local stack with the policy pack and renders the same objects as the offline synth", async () => {
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/Policies:\s*\n\s*✅ platform@v[\d.]+ \(local: .*policies\)/);
    expect(first.output).toMatch(/\+ \d+ created/);
    expect(first.output).toContain(`manifests: ${local.RENDER_DIR}`);
    const synth = kubeManifests((await synthStack("local")).resources)
      .map((m) => `${m.kind} ${m.metadata.namespace ?? ""}/${m.metadata.name ?? ""}`)
      .sort();
    expect(synth.length).toBeGreaterThan(10);
    expect(renderedKeys(local.RENDER_DIR)).toEqual(synth);
  }, 10 * MINUTE);

  it("keeps generated passwords out of the file backend (passphrase secrets provider)", () => {
    const passwords: string[] = [];
    for (const file of listFiles(local.RENDER_DIR)) {
      const obj = parseAllDocuments(readFileSync(file, "utf8"))[0]?.toJS() as { kind?: string; stringData?: Record<string, string> } | null;
      if (obj?.kind === "Secret") passwords.push(...Object.entries(obj.stringData ?? {}).filter(([k]) => k === "password").map(([, v]) => v));
    }
    expect(passwords).toHaveLength(4); // cassandra-credentials, the two app roles and redis-auth, from RandomPassword
    const state = listFiles(join(local.PULUMI_LOCAL_DIR, "state")).map((f) => readFileSync(f, "utf8"));
    expect(state.some((text) => text.includes('"ciphertext"'))).toBe(true);
    for (const password of passwords) expect(state.some((text) => text.includes(password))).toBe(false);
  });

  it("a second up changes nothing", async () => {
    const second = await upLocal(local, ["--expect-no-changes"]);
    expect(second.code, second.output).toBe(0);
    expect(second.output).toMatch(/\d+ unchanged/);
    expect(second.output).not.toMatch(/\+ \d+ to create|~ \d+ to update|- \d+ to delete/);
  }, 10 * MINUTE);

  it("the policy pack stops a privileged pod inside the engine (preview exits non-zero, nothing rendered)", async () => {
    const renderDir = join(work, "broken", "manifests");
    const broken = await upLocal({
      PULUMI_LOCAL_DIR: join(work, "broken"),
      RENDER_DIR: renderDir,
      STACK: "broken",
      STACK_CONFIG: join(work, "no-committed-config.yaml"),
      PROJECT_DIR: join(ROOT, "test/engine/fixtures/broken"),
      ENGINE_COMMAND: "preview",
    });
    expect(broken.code, broken.output).not.toBe(0);
    // The engine's own policy report: the pack failed, with the mandatory violation on the Pod.
    expect(broken.output).toMatch(/❌ platform@v[\d.]+ \(local: .*policies\)/);
    expect(broken.output).toMatch(/\[mandatory\]\s+platform-k8s-no-privileged-host-access\s+\(kubernetes:core\/v1:Pod: privileged\)/);
    expect(broken.output).toContain('containers[0] "shell" is privileged');
    expect(broken.output).toContain("error: preview failed");
    expect(renderedKeys(renderDir)).toEqual([]);
  }, 10 * MINUTE);
});
