import { READ_CONSISTENCY } from "../src/core/query.js";
import { serveQuery } from "../src/http.js";
import { createLogger } from "../src/log.js";
import { telemetryFunction } from "./function.js";

/** Vercel Node function `GET /api/query`: a valid bearer token, only the token's sources, read at LOCAL_ONE. */
export default telemetryFunction(createLogger({ fn: "api/query" }), (req, res, { caller, getClient, log }) =>
  serveQuery(req, res, { getClient, consistency: READ_CONSISTENCY.query, log, caller }),
);
