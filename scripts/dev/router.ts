/**
 * A tiny HTTP proxy that plays the `telemetry` mesh host on localhost: each request goes to the
 * role {@link roleFor} picks (the mesh's own rules), unknown methods get the 404 Envoy would send.
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { endAfterUpload } from "../../apps/telemetry/src/http";
import { devTelemetryVirtualService, roleFor, type TelemetryRole } from "./routes";

export interface RouterTargets {
  readonly command: number;
  readonly query: number;
}

/** Response header naming the role that served a request (dev aid, also asserted by the tests). */
export const ROLE_HEADER = "x-dev-telemetry-role";

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function createDevRouter(targets: RouterTargets): Server {
  const vs = devTelemetryVirtualService();
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const role: TelemetryRole | undefined = roleFor(vs, { method: req.method ?? "GET", path, headers: req.headers });
    if (!role) {
      req.resume();
      return send(res, 404, { error: "no route (the mesh serves GET/HEAD/POST/PUT/PATCH/DELETE only)" });
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    const upstream = request(
      { host: "127.0.0.1", port: targets[role], method: req.method, path: req.url, headers, agent },
      (up) => {
        const out: Record<string, string | string[]> = { [ROLE_HEADER]: role };
        for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
        res.writeHead(up.statusCode ?? 502, out);
        up.pipe(res, { end: false });
        up.on("end", () => {
          if (req.complete) return void res.end();
          // The role answered before the upload ended (e.g. 413 over its cap). Like Envoy: stop
          // sending it the body and drop that upstream connection (it is mid-request, so it
          // must not go back to the pool, where the next request's headers would wait behind
          // a 20 MiB body). The client has the whole answer already; the response ends (and a
          // `Connection: close` socket closes) only once its upload is read, or after
          // LINGER_MS (apps/telemetry/src/http.ts): closing on unread data would reset the connection before it reads it.
          req.unpipe(upstream);
          upstream.destroy();
          endAfterUpload(req, res);
        });
      },
    );
    // Headers now, not with the first body chunk: the role may answer from the headers alone
    // (a Content-Length over its cap), and a client may declare a body it never sends.
    upstream.flushHeaders();
    upstream.on("error", (err) => {
      // After the answer has gone out, an error is only the cut upstream connection above.
      if (res.writableEnded) return;
      send(res, 503, { error: `telemetry-${role} unavailable: ${err.message}` });
    });
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  server.on("close", () => agent.destroy());
  return server;
}
