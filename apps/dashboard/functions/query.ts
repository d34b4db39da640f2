// Vercel function `GET /api/query` (bundled by build-functions.mjs): the telemetry app's handler.
export { default } from "../../telemetry/api/query";
