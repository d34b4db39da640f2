import { Redis, type RedisOptions } from "ioredis";
import { LRUCache } from "lru-cache";
import type { GatewayConfig } from "../config/index.js";
import type { GatewayLogger } from "../observability/logger.js";
import { decodeEntry, encodeEntry, type CacheEntry } from "./entry.js";

export type CacheLevel = "l1" | "l2";
export type RedisState = "up" | "down" | "disabled";

const L2_PREFIX = "gw:cache:";

/**
 * A kind of small record another service writes to Redis (e.g. dns-cache's domain records),
 * read through the same two levels: level 1 keeps a decoded copy for `l1TtlMs`, so a change in
 * Redis reaches every pod within that time.
 */
export interface RecordKind<V> {
  /** Redis key prefix of the kind; the key is prefix + id. */
  readonly redisPrefix: string;
  /** Undefined for a malformed value (treated as a miss). */
  decode(text: string): V | undefined;
  readonly l1TtlMs: number;
}

/** Records kept in level 1 (all kinds together); small values, so a count bound is enough. */
const RECORD_L1_MAX = 10_000;

/**
 * Level 1: in-process LRU. Level 2: Redis, shared by every pod. Redis errors and timeouts are
 * logged (logType RedisError) and turn into a miss; they never fail a request.
 */
export class LayeredCache {
  private readonly l1: LRUCache<string, CacheEntry>;
  private readonly records = new LRUCache<string, { value: unknown; until: number }>({ max: RECORD_L1_MAX });
  private readonly redis?: Redis;
  private readonly refreshing = new Map<string, Promise<void>>();
  private readonly writing = new Set<Promise<void>>();
  private lastConnError = "";
  /** False from a timed-out command until a PING answers again (see markTimedOut). */
  private responsive = true;
  private probeTimer?: NodeJS.Timeout;

  constructor(
    config: Pick<GatewayConfig, "cache" | "redis">,
    private readonly log: GatewayLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.l1 = new LRUCache<string, CacheEntry>({
      max: config.cache.l1MaxEntries,
      maxSize: config.cache.l1MaxBytes,
      sizeCalculation: (e) => e.body.length + 256,
    });
    if (config.redis) {
      const r = config.redis;
      const options: RedisOptions = {
        host: r.host,
        port: r.port,
        password: r.password,
        tls: r.tls ? {} : undefined,
        lazyConnect: true,
        commandTimeout: r.timeoutMs,
        connectTimeout: Math.max(1000, r.timeoutMs * 10),
        // Fail fast while disconnected instead of queueing behind a dead connection.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: (times) => Math.min(100 * times, 2000),
      };
      this.redis = new Redis(options);
      this.redis.on("error", (err: Error) => {
        // Reconnect attempts repeat the same error: log each distinct one once per outage.
        if (err.message === this.lastConnError) return;
        this.lastConnError = err.message;
        this.log.warn({ logType: "RedisError", errMsg: err.message, content: "connection" });
      });
      this.redis.on("ready", () => {
        if (this.lastConnError) this.log.info({ logType: "RedisReady" });
        this.lastConnError = "";
      });
    }
  }

  async connect(): Promise<void> {
    // Start-up never waits on Redis: it is optional, and reconnects by itself.
    this.redis?.connect().catch(() => undefined);
  }

  /**
   * `up` only when connected and answering: a frozen Redis (SIGSTOP, a stalled host) keeps its
   * TCP connection `ready` while every command times out, so a timeout counts as down too.
   */
  get redisState(): RedisState {
    if (!this.redis) return "disabled";
    return this.redis.status === "ready" && this.responsive ? "up" : "down";
  }

  /** For /readyz: one PING bounded by the command timeout (REDIS_TIMEOUT_MS), then the state. */
  async probe(): Promise<RedisState> {
    if (this.redis?.status === "ready") {
      try {
        await this.redis.ping();
        this.responsive = true;
      } catch (err) {
        this.noteFailure(err);
      }
    }
    return this.redisState;
  }

  private usable(): boolean {
    return this.redis !== undefined && this.redis.status === "ready" && this.responsive;
  }

  /**
   * A command that timed out marks Redis unresponsive: requests stop waiting on it (level 1 and
   * the upstream only) and a background PING every 500 ms brings it back once it answers.
   */
  private noteFailure(err: unknown): void {
    if (!/timed out/i.test((err as Error)?.message ?? "") || !this.responsive) return;
    this.responsive = false;
    this.log.warn({ logType: "RedisError", errMsg: "command timed out; Redis marked down until a PING answers", content: "probe" });
    this.probeTimer ??= setInterval(() => {
      if (this.redis?.status !== "ready") return;
      this.redis.ping().then(
        () => {
          this.responsive = true;
          clearInterval(this.probeTimer);
          this.probeTimer = undefined;
          this.log.info({ logType: "RedisReady" });
        },
        () => undefined,
      );
    }, 500);
    this.probeTimer.unref();
  }

  /** A live (not yet deleted) entry from level 1, else level 2 (which then fills level 1). */
  async lookup(key: string, reqId?: string): Promise<{ entry: CacheEntry; level: CacheLevel } | undefined> {
    const now = this.now();
    const local = this.l1.get(key);
    if (local) {
      if (now < local.deleteAt) return { entry: local, level: "l1" };
      this.l1.delete(key);
    }
    if (!this.usable()) return undefined;
    try {
      const buf = await this.redis!.getBuffer(L2_PREFIX + key);
      const entry = buf ? decodeEntry(buf) : undefined;
      if (!entry || this.now() >= entry.deleteAt) return undefined;
      this.l1.set(key, entry);
      return { entry, level: "l2" };
    } catch (err) {
      this.log.warn({ logType: "RedisError", reqId, cacheKey: key, errMsg: (err as Error).message, content: "get" });
      this.noteFailure(err);
      return undefined;
    }
  }

  /**
   * A record of `kind` from level 1 while its copy is younger than the kind's l1TtlMs, else from
   * Redis (which refills level 1). Redis errors are logged and are a miss, as for responses.
   */
  async lookupRecord<V>(kind: RecordKind<V>, id: string, reqId?: string): Promise<{ value: V; level: CacheLevel } | undefined> {
    const key = kind.redisPrefix + id;
    const local = this.records.get(key);
    if (local && this.now() < local.until) return { value: local.value as V, level: "l1" };
    if (!this.usable()) return undefined;
    try {
      const text = await this.redis!.get(key);
      const value = text === null ? undefined : kind.decode(text);
      if (value === undefined) return undefined;
      this.records.set(key, { value, until: this.now() + kind.l1TtlMs });
      return { value, level: "l2" };
    } catch (err) {
      this.log.warn({ logType: "RedisError", reqId, cacheKey: key, errMsg: (err as Error).message, content: "get" });
      this.noteFailure(err);
      return undefined;
    }
  }

  /** A record of `kind` from level 1 only, while fresh; no I/O (the hot path's synchronous check). */
  peekRecord<V>(kind: RecordKind<V>, id: string): V | undefined {
    const local = this.records.get(kind.redisPrefix + id);
    return local && this.now() < local.until ? (local.value as V) : undefined;
  }

  /** Keeps a record in level 1 only, for `ttlMs` (what this pod found itself; Redis stays the writer's). */
  rememberRecord<V>(kind: RecordKind<V>, id: string, value: V, ttlMs: number): void {
    this.records.set(kind.redisPrefix + id, { value, until: this.now() + ttlMs });
  }

  /** Writes level 1 now and level 2 in the background; the promise settles when level 2 is done. */
  store(key: string, entry: CacheEntry, reqId?: string): Promise<void> {
    this.l1.set(key, entry);
    if (!this.usable()) return Promise.resolve();
    const ttl = entry.deleteAt - this.now();
    if (ttl <= 0) return Promise.resolve();
    const write = this.redis!.set(L2_PREFIX + key, encodeEntry(entry), "PX", ttl).then(
      () => undefined,
      (err: Error) => {
        this.log.warn({ logType: "RedisError", reqId, cacheKey: key, errMsg: err.message, content: "set" });
        this.noteFailure(err);
      },
    );
    this.writing.add(write);
    void write.finally(() => this.writing.delete(write));
    return write;
  }

  /**
   * Runs `refresh` unless one is already running for this key in this process (no stampede).
   * Returns the running refresh, for tests and graceful shutdown.
   */
  refreshOnce(key: string, refresh: () => Promise<void>): { started: boolean; done: Promise<void> } {
    const running = this.refreshing.get(key);
    if (running) return { started: false, done: running };
    const done = refresh()
      .catch((err: Error) => this.log.warn({ logType: "CacheRefreshError", cacheKey: key, errMsg: err.message }))
      .finally(() => this.refreshing.delete(key));
    this.refreshing.set(key, done);
    return { started: true, done };
  }

  /** Settles when every background refresh and level-2 write running now has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.refreshing.values()]);
    await Promise.all([...this.writing]);
  }

  async close(): Promise<void> {
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    await this.idle();
    if (!this.redis) return;
    try {
      if (this.redis.status === "ready") await this.redis.quit();
      else this.redis.disconnect();
    } catch {
      this.redis.disconnect();
    }
  }
}
