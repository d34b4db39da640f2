/**
 * Vercel Functions limits per plan (Node.js runtime, Fluid compute), from Vercel's
 * "Functions limitations" docs: max duration hobby 300 s, pro/enterprise 800 s; memory hobby
 * 2 GB (fixed), pro/enterprise up to 4 GB. The policy pack checks against the same table.
 */
export const VERCEL_PLAN_LIMITS = {
  hobby: { maxDurationSeconds: 300, maxMemoryMb: 2048 },
  pro: { maxDurationSeconds: 800, maxMemoryMb: 4096 },
  enterprise: { maxDurationSeconds: 800, maxMemoryMb: 4096 },
} as const;

export type VercelPlan = keyof typeof VERCEL_PLAN_LIMITS;

/** Problems with a function's duration/memory for a plan (empty when within limits). */
export function planLimitProblems(plan: VercelPlan, maxDurationSeconds: number, memoryMb: number): string[] {
  const l = VERCEL_PLAN_LIMITS[plan];
  const p: string[] = [];
  if (maxDurationSeconds > l.maxDurationSeconds) p.push(`maxDurationSeconds ${maxDurationSeconds} exceeds the ${plan} plan's ${l.maxDurationSeconds} s`);
  if (memoryMb > l.maxMemoryMb) p.push(`memoryMb ${memoryMb} exceeds the ${plan} plan's ${l.maxMemoryMb} MB`);
  return p;
}
