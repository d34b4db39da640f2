import type { IncomingMessage, ServerResponse } from "node:http";
import { sharedClient } from "../src/client.js";
import { serveIngest } from "../src/http.js";
import { createLogger } from "../src/log.js";

/**
 * Vercel Node function `POST /api/ingest`. Module scope outlives one invocation on a warm
 * instance, so the Cassandra client (sharedClient) is connected once and reused.
 * Set NODEJS_HELPERS=0 so Vercel does not consume the body before we read it with our byte cap.
 */
const log = createLogger({ fn: "api/ingest" });

export default async function handler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  await serveIngest(req, res, { getClient: sharedClient.get, log });
}
