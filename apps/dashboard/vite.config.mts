import { readFileSync } from "node:fs";
import react from "@vitejs/plugin-react";
import { defineConfig, type ProxyOptions } from "vite";

/**
 * Dev server: same-origin `/api/...` calls are proxied to the gateway started by `npm run dev`,
 * which adds the dev JWT here so the token never reaches the browser bundle. In Vercel the same
 * paths are the functions in `api/` and no proxy is involved.
 */
function devProxy(): Record<string, ProxyOptions> | undefined {
  const target = process.env["DEV_GATEWAY_URL"];
  if (!target) return undefined;
  const tokenFile = process.env["DEV_API_TOKEN_FILE"];
  const token = tokenFile ? readFileSync(tokenFile, "utf8").trim() : undefined;
  return {
    "/api": {
      target,
      changeOrigin: true,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  cacheDir: process.env["DEV_VITE_CACHE_DIR"] || undefined,
  // Pre-bundled at start so the first page load does not trigger a dependency re-optimisation reload.
  optimizeDeps: { include: ["react", "react-dom", "react-dom/client", "react/jsx-runtime", "react/jsx-dev-runtime"] },
  server: { proxy: devProxy() },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 400 },
});
