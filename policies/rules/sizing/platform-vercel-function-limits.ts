import { VERCEL_PLAN_LIMITS } from "../../../components/telemetry-functions/plan-limits";
import { finding } from "../../core/finding";
import type { Finding, PlatformPolicy } from "../../core/types";

export const VERCEL_PROJECT = "vercel:index/project:Project";

/**
 * Memory per function CPU type (Vercel docs, "Configuring memory and CPU": standard 1 vCPU /
 * 2 GB, performance 2 vCPU / 4 GB; standard_legacy is the pre-Fluid 0.6 vCPU / 1 GB).
 */
export const CPU_TYPE_MEMORY_MB: Readonly<Record<string, number>> = { standard_legacy: 1024, standard: 2048, performance: 4096 };

/**
 * Limits per plan come from the same table the component validates against
 * (components/telemetry-functions/plan-limits.ts, from vercel.com/docs/functions/limitations:
 * max duration hobby 300 s, pro/enterprise 800 s; memory hobby 2 GB, pro/enterprise 4 GB).
 * The plan is not a resource property, so it is the policy's `vercelPlan` config.
 */
export const vercelFunctionLimits: PlatformPolicy = {
  name: "platform-vercel-function-limits",
  description: "Checks that each Vercel project's function timeout and memory (CPU type) fit the configured plan's limits.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Lower resourceConfig.functionDefaultTimeout / functionDefaultCpuType to the plan's limits, or upgrade the plan.",
  configSchema: { properties: { vercelPlan: { type: "string", enum: ["hobby", "pro", "enterprise"], default: "pro" } } },
  checkResource(p, { config, part }) {
    if (p.type !== VERCEL_PROJECT) return [];
    const limits = VERCEL_PLAN_LIMITS[config.vercelPlan];
    return part("resourceConfig", () => {
      const out: Finding[] = [];
      const rc = p.props.resourceConfig ?? {};
      const timeout = rc.functionDefaultTimeout;
      if (timeout !== undefined && timeout > limits.maxDurationSeconds) {
        out.push(finding(p, `Function timeout ${timeout} s exceeds the ${config.vercelPlan} plan's ${limits.maxDurationSeconds} s.`, `set resourceConfig.functionDefaultTimeout ≤ ${limits.maxDurationSeconds}.`));
      }
      const cpu = rc.functionDefaultCpuType;
      const memory = cpu === undefined ? undefined : CPU_TYPE_MEMORY_MB[cpu];
      if (cpu !== undefined && (memory === undefined || memory > limits.maxMemoryMb)) {
        out.push(finding(p, `Function CPU type "${cpu}" (${memory ?? "unknown"} MB) exceeds the ${config.vercelPlan} plan's ${limits.maxMemoryMb} MB.`, `use a CPU type within ${limits.maxMemoryMb} MB (standard = 2048 MB).`));
      }
      return out;
    });
  },
};
