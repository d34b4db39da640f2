import type { IncomingMessage, ServerResponse } from "node:http";
import { sharedClient } from "../src/client.js";
import { READ_CONSISTENCY } from "../src/core/query.js";
import { serveQuery } from "../src/http.js";
import { createLogger } from "../src/log.js";

/** Vercel Node function `GET /api/query`: the query role, reading at LOCAL_ONE. */
const log = createLogger({ fn: "api/query" });

export default async function handler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  await serveQuery(req, res, { getClient: sharedClient.get, consistency: READ_CONSISTENCY.query, log });
}
