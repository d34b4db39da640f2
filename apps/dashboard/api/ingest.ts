// Vercel function `POST /api/ingest` (project root apps/dashboard): the telemetry app's handler.
export { default } from "../../telemetry/api/ingest";
