import { spawn, type ChildProcess } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { Resolver } from "node:dns/promises";

/**
 * Debian's dnsmasq on loopback as the real DNS server of the custom-domain tests: unprivileged,
 * a high port (DNS_CACHE_TEST_DNS_PORT, default 15353), no config file, no upstream, names under
 * `example` answered from the command line only (`--local`, so a missing record is NXDOMAIN or
 * NODATA as from an authoritative server, not REFUSED).
 */
export const DNS_PORT = Number(process.env.DNS_CACHE_TEST_DNS_PORT ?? 15353);

/** The binary (apt package `dnsmasq`, installed by `npm run setup`); throws one line when missing. */
export function dnsmasqPath(): string {
  const candidates = process.env.DNSMASQ_BIN ? [process.env.DNSMASQ_BIN] : ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq"];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error("dnsmasq is not installed: run `npm run setup`");
  return found;
}

/** A UDP socket that reads queries and never answers: the upstream of a domain that times out. */
export async function silentUdpServer(): Promise<{ port: number; close(): void }> {
  const socket: Socket = createSocket("udp4");
  socket.on("message", () => undefined);
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  return { port: socket.address().port, close: () => socket.close() };
}

/** Record flags: `cname:alias,target`, `host:name,ip`, `server:/domain/ip#port` → dnsmasq options. */
export type DnsRecord = `cname:${string}` | `host:${string}` | `server:${string}`;

function recordArgs(records: readonly DnsRecord[]): string[] {
  return records.map((r) => {
    const [kind, value] = [r.slice(0, r.indexOf(":")), r.slice(r.indexOf(":") + 1)];
    return kind === "cname" ? `--cname=${value}` : kind === "host" ? `--host-record=${value}` : `--server=${value}`;
  });
}

export interface Dnsmasq {
  readonly server: string;
  /** Stops it and starts it again on the same port with other records (a record change between runs). */
  restart(records: readonly DnsRecord[]): Promise<void>;
  stop(): Promise<void>;
}

async function waitAnswering(server: string, proc: ChildProcess, log: () => string): Promise<void> {
  const r = new Resolver({ timeout: 200, tries: 1 });
  r.setServers([server]);
  for (let i = 0; i < 50; i++) {
    if (proc.exitCode !== null) throw new Error(`dnsmasq exited (${proc.exitCode}): ${log()}`);
    try {
      await r.resolve4("dnsmasq-probe.example");
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOTFOUND") return; // it answered (NXDOMAIN)
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`dnsmasq on ${server} did not answer: ${log()}`);
}

export async function startDnsmasq(records: readonly DnsRecord[], port = DNS_PORT): Promise<Dnsmasq> {
  const bin = dnsmasqPath();
  const server = `127.0.0.1:${port}`;
  let proc: ChildProcess;
  let output = "";
  const launch = async (recs: readonly DnsRecord[]) => {
    output = "";
    proc = spawn(
      bin,
      ["--no-daemon", "--conf-file=/dev/null", `--port=${port}`, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
        "--local=/example/", "--cache-size=0", "--log-facility=-", `--pid-file=`, ...recordArgs(recs)],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    proc.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    proc.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    await waitAnswering(server, proc, () => output);
  };
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, "exit");
    proc.kill("SIGTERM");
    await exited;
  };
  await launch(records);
  return {
    server,
    async restart(recs) {
      await stop();
      await launch(recs);
    },
    stop,
  };
}
