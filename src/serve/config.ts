// Service configuration: one zod schema with every default, so `ServeConfigSchema.parse({})` is a working
// in-memory development setup (reads open, writes refused until a write key is configured).
import { z } from "zod";

export const ScopeSchema = z.enum(["read", "write"]);
export type Scope = z.infer<typeof ScopeSchema>;

export const ApiKeySchema = z.object({
  key: z.string().min(16, "API keys must be at least 16 characters"),
  scopes: z.array(ScopeSchema).min(1),
  /** A label for logs and metrics; the key itself is never logged. */
  name: z.string().default("key"),
});

export const ServeConfigSchema = z.object({
  host: z.string().default("127.0.0.1"),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Prepared dataset dir (seeds user sequences on first start) and optional catalogue JSONL to import. */
  dataDir: z.string().optional(),
  catalogFile: z.string().optional(),
  /** Run dir of a trained model; used by the recommender plugin, not by the core. */
  modelDir: z.string().optional(),
  storage: z
    .object({
      /** SQLite file for events and the catalogue (":memory:" for tests). Several processes may share it. */
      sqlitePath: z.string().default(":memory:"),
      /** With a Redis URL, user sequences and caches live in Redis and are shared by every replica. */
      redisUrl: z.string().optional(),
      /** Every Redis key starts with this prefix (one prefix per deployment or test run). */
      redisPrefix: z.string().default("seqrank:"),
      /** Items kept per user sequence (oldest dropped first). */
      maxSequenceLength: z.number().int().min(1).default(200),
      /** Entries of the in-process cache used when there is no Redis. */
      memoryCacheEntries: z.number().int().min(0).default(10_000),
    })
    .default({}),
  auth: z
    .object({
      keys: z.array(ApiKeySchema).default([]),
      /** Scopes a request without a key gets. Default: reads are public, writes need a key. */
      anonymousScopes: z.array(ScopeSchema).default(["read"]),
    })
    .default({}),
  privacy: z
    .object({
      /** When set, user ids are stored as HMAC-SHA256(secret, id); the API still takes raw ids. */
      pseudonymizeSecret: z.string().min(16).optional(),
      /** Write user ids into request logs (off: they are replaced by "<user>"). */
      logUserIds: z.boolean().default(false),
    })
    .default({}),
  limits: z
    .object({
      bodyLimitBytes: z
        .number()
        .int()
        .min(1024)
        .default(1024 * 1024),
      maxEventsPerRequest: z.number().int().min(1).default(1000),
      rateLimit: z
        .object({
          enabled: z.boolean().default(true),
          /** Requests per window per API key (or per client IP without a key). */
          max: z.number().int().min(1).default(5000),
          windowMs: z.number().int().min(1).default(1000),
        })
        .default({}),
    })
    .default({}),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type ServeConfig = z.infer<typeof ServeConfigSchema>;
export type ServeConfigInput = z.input<typeof ServeConfigSchema>;
export type ApiKey = z.infer<typeof ApiKeySchema>;
