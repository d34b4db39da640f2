/** Request limits of the ingest and query APIs (issue #3); shared by validation, adapters and tests. */
export const LIMITS = {
  maxBodyBytes: 1024 * 1024,
  maxEventsPerRequest: 1000,
  maxMessageBytes: 8 * 1024,
  maxMetadataKeys: 32,
  maxMetadataKeyChars: 128,
  maxMetadataValueBytes: 2 * 1024,
  maxSourceChars: 128,
  maxIdempotencyKeyChars: 128,
  /** Accept clock skew of producers, but not events from far in the future (they would sit in future partitions). */
  maxFutureSkewMs: 24 * 60 * 60 * 1000,
  minTimestampMs: Date.UTC(2000, 0, 1),
  query: { defaultLimit: 100, maxLimit: 1000, maxTokenChars: 128 },
} as const;

export const LEVELS = ["info", "warn", "error"] as const;
export type Level = (typeof LEVELS)[number];
