// Vercel function `GET /api/query` (project root apps/dashboard): the telemetry app's handler.
export { default } from "../../telemetry/api/query";
