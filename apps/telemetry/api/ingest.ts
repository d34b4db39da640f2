import { serveIngest } from "../src/http.js";
import { createLogger } from "../src/log.js";
import { telemetryFunction } from "./function.js";

/**
 * Vercel Node function `POST /api/ingest`: a valid bearer token, and only the token's sources.
 * Set NODEJS_HELPERS=0 so Vercel does not consume the body before we read it with our byte cap.
 */
export default telemetryFunction(createLogger({ fn: "api/ingest" }), (req, res, { caller, getClient, log }) =>
  serveIngest(req, res, { getClient, log, caller }),
);
