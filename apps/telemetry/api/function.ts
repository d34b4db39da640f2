import type { IncomingMessage, ServerResponse } from "node:http";
import type { Client } from "cassandra-driver";
import type { Logger } from "pino";
import { sharedClient } from "../src/client.js";
import type { Caller } from "../src/core/access.js";
import { sendResult } from "../src/http.js";
import { createAuthenticator } from "./auth.js";

/**
 * One Vercel function invocation: authenticate first (401 before the body is read or Cassandra
 * is touched), then serve with the instance's one Cassandra client. Module scope outlives one
 * invocation on a warm instance, so the client (TLS + client certificate + login) connects once.
 */
export interface Invocation {
  readonly caller: Caller;
  readonly getClient: () => Promise<Client>;
  readonly log: Logger;
}

/** What this instance paid to connect (the cold start), for logs, the bench and Server-Timing. */
export interface InstanceStats {
  readonly invocations: number;
  /** Connect time of the instance's client (TCP + TLS + login + metadata), ms; undefined until connected. */
  readonly coldStartConnectMs?: number;
}

let invocations = 0;
export const instanceStats = (): InstanceStats => ({ invocations, coldStartConnectMs: sharedClient.stats().connectMs });

export function telemetryFunction(log: Logger, serve: (req: IncomingMessage, res: ServerResponse, inv: Invocation) => Promise<unknown>) {
  const authenticate = createAuthenticator(process.env, (err) => log.error({ err: err.message }, "function auth configuration"));
  return async function handler(req: IncomingMessage, res: ServerResponse): Promise<void> {
    invocations++;
    const auth = await authenticate(req.headers.authorization);
    if (!auth.ok) {
      // Answered before the body is read (it is drained), so nothing can have been written.
      sendResult(res, auth.result, req.method === "HEAD", req);
      return;
    }
    await serve(req, res, { caller: auth.caller, getClient: timedClient(res, log), log });
  };
}

/** The shared client; an invocation that waited for the connect reports its cost (log + Server-Timing). */
function timedClient(res: ServerResponse, log: Logger): () => Promise<Client> {
  return async () => {
    if (sharedClient.peek()) return sharedClient.get();
    const client = await sharedClient.get();
    const connectMs = sharedClient.stats().connectMs;
    if (connectMs !== undefined) {
      log.info({ connectMs: Math.round(connectMs * 10) / 10 }, "cassandra connected (cold start)");
      if (!res.headersSent) res.setHeader("server-timing", `cassandra-connect;dur=${connectMs.toFixed(1)}`);
    }
    return client;
  };
}
