// Vercel function `POST /api/ingest` (bundled by build-functions.mjs): the telemetry app's handler.
export { default } from "../../telemetry/api/ingest";
