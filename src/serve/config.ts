// Service configuration: one zod schema with every default, so `ServeConfigSchema.parse({})` is a working
// in-memory development setup (no keys: reads open, writes refused; docs/security.md).
import { z } from "zod";
import { parseConfig } from "../util/config-issues.js";
import { CatalogColumnsSchema } from "./storage/catalog-columns.js";

/** `read`: data reads; `write`: events, catalogue, deletes, admin; `metrics`: the /metrics endpoint. */
export const ScopeSchema = z.enum(["read", "write", "metrics"]);
export type Scope = z.infer<typeof ScopeSchema>;

export const ApiKeySchema = z.strictObject({
  key: z.string().min(16, "API keys must be at least 16 characters"),
  scopes: z.array(ScopeSchema).min(1),
  /** A label for logs and metrics; the key itself is never logged. */
  name: z.string().default("key"),
});

/** An event type's spelling: lower case, digits allowed first (movielens's types are "1".."5"). */
export const EVENT_TYPE_PATTERN = "^[a-z0-9][a-z0-9_]{0,31}$";

export const ServeConfigSchema = z.strictObject({
  host: z.string().default("127.0.0.1"),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Prepared dataset dir (seeds user sequences on first start) and optional catalogue JSONL to import. */
  dataDir: z.string().optional(),
  catalogFile: z.string().optional(),
  /** Which keys of the catalogue's lines feed which item fields (prepare's item column mapping). */
  catalogColumns: CatalogColumnsSchema.optional(),
  /** Run dir of a trained model; used by the recommender plugin, not by the core. */
  modelDir: z.string().optional(),
  storage: z
    .strictObject({
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
      /** Group commit: most events one durable commit takes from concurrent requests (1 = off). */
      commitBatchEvents: z.number().int().min(1).default(1000),
    })
    .default({}),
  /** Who may call what: docs/security.md. */
  auth: z
    .strictObject({
      keys: z.array(ApiKeySchema).default([]),
      /** With keys configured, let requests without a key read (GET routes other than /metrics). */
      publicReads: z.boolean().default(false),
      /** Accept writes without a key (local demos only). */
      openWrites: z.boolean().default(false),
      /** Failed authentications (missing or unknown key) allowed per client address and window. */
      failedAuth: z
        .strictObject({
          max: z.number().int().min(1).default(20),
          windowMs: z.number().int().min(1).default(10_000),
          /** Addresses tracked at once (bounded memory); the oldest is forgotten first. */
          maxAddresses: z.number().int().min(1).default(10_000),
        })
        .default({}),
      anonymousScopes: z
        .never({ message: "was replaced by auth.publicReads and auth.openWrites (docs/security.md)" })
        .optional(),
    })
    .default({}),
  privacy: z
    .strictObject({
      /** When set, user ids are stored as HMAC-SHA256(secret, id); the API still takes raw ids. */
      pseudonymizeSecret: z.string().min(16).optional(),
      /** Write user ids into request logs (off: they are replaced by "<user>"). */
      logUserIds: z.boolean().default(false),
    })
    .default({}),
  limits: z
    .strictObject({
      bodyLimitBytes: z
        .number()
        .int()
        .min(1024)
        .default(1024 * 1024),
      maxEventsPerRequest: z.number().int().min(1).default(1000),
      rateLimit: z
        .strictObject({
          enabled: z.boolean().default(true),
          /** Requests per window per API key (or per client IP without a key). */
          max: z.number().int().min(1).default(5000),
          windowMs: z.number().int().min(1).default(1000),
        })
        .default({}),
    })
    .default({}),
  events: z
    .strictObject({
      /** Accepted event types; default: view, click, cart, purchase and the prepared dataset's types. */
      types: z
        .array(z.string().regex(new RegExp(EVENT_TYPE_PATTERN)))
        .min(1)
        .optional(),
      /** How far an event's `ts` may lie ahead of the server clock (clients' clocks drift). */
      maxFutureSkewMs: z.number().int().min(0).default(86_400_000),
      /** The earliest accepted `ts` (unix ms; default 2000-01-01, which also catches seconds sent as ms). */
      minTs: z
        .number()
        .int()
        .default(Date.UTC(2000, 0, 1)),
    })
    .default({}),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type ServeConfig = z.infer<typeof ServeConfigSchema>;
export type ServeConfigInput = z.input<typeof ServeConfigSchema>;
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** The config with its defaults, or an SR_ERR_CONFIG error naming every wrong field (and unknown key). */
export function parseServeConfig(input: ServeConfigInput): ServeConfig {
  return parseConfig(ServeConfigSchema, input, "service config");
}
