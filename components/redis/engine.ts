/** Engines ElastiCache runs with the Redis protocol. */
export type RedisEngine = "redis" | "valkey";

/**
 * ElastiCache parameter group family for an engine version: `redis` 7.x → `redis7`, 6.x →
 * `redis6.x`; `valkey` 7.x/8.x → `valkey7`/`valkey8`. Throws for versions ElastiCache has no
 * family for, so a typo fails at preview instead of at the AWS API.
 */
export function parameterGroupFamily(engine: RedisEngine, version: string): string {
  const major = Number(/^(\d+)(\.\d+)?$/.exec(version)?.[1]);
  if (engine === "redis") {
    if (major === 7) return "redis7";
    if (major === 6) return "redis6.x";
  } else if (major === 7 || major === 8) {
    return `valkey${major}`;
  }
  throw new Error(`no ElastiCache parameter group family for ${engine} ${version}`);
}

/**
 * `maxmemory` for an in-cluster Redis with a container limit of `memoryMiB`: 75%, leaving room
 * for fragmentation, client buffers and the process itself, so eviction (allkeys-lru) starts
 * well before the kernel's OOM killer would.
 */
export function maxMemoryMiB(memoryMiB: number): number {
  return Math.floor(memoryMiB * 0.75);
}
