/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** API base path: `/api` (Vercel functions, the default) or `/api/telemetry` (behind the gateway). */
  readonly VITE_API_BASE?: string;
  readonly VITE_REFRESH_MS?: string;
  readonly VITE_CONFIRM_TIMEOUT_MS?: string;
}
