// `seqrank serve`: the HTTP service. Flags (or --config <file.json>, flags win) become a ServeConfig;
// extension plugins (recommender, search, dashboard) are passed in by whoever registers the command, so the
// core service also runs without them. Prints one JSON line once listening.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { FastifyPluginAsync } from "fastify";
import { parseServeConfig, type ServeConfig, type ServeConfigInput } from "../serve/config.js";
import { startServer } from "../serve/server.js";
import { parseConfigJson } from "../util/config-issues.js";
import { SeqrankError } from "../util/errors.js";
import { printResultLine } from "../util/result-line.js";
import { keysFromEnv, keysFromFile, keysFromFlags } from "./api-keys.js";

export interface ServeCommandOptions {
  /** Plugins registered after the core, given the parsed config (e.g. to load the model from `modelDir`). */
  plugins?: (config: ServeConfig) => Promise<FastifyPluginAsync[]> | FastifyPluginAsync[];
}

interface ServeFlags {
  config?: string;
  data?: string;
  model?: string;
  catalog?: string;
  catalogColumns?: string;
  host?: string;
  port?: number;
  db?: string;
  redis?: string;
  redisPrefix?: string;
  apiKey: string[];
  apiKeysFile?: string;
  publicReads?: boolean;
  openWrites?: boolean;
  pseudonymize?: boolean;
  logUserIds?: boolean;
  rateLimit?: number | false;
  bodyLimit?: number;
  logLevel?: string;
}

const integer = (flag: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new SeqrankError("SR_ERR_CLI_ARG", `${flag} expects a non-negative integer, got "${value}"`);
  return n;
};

function readConfigFile(path: string): ServeConfigInput {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new SeqrankError("SR_ERR_CONFIG", `--config ${path}: ${reason}`);
  }
}

/** Merges a config file, environment and flags (in that order of precedence, lowest first). */
export function serveConfigFromFlags(flags: ServeFlags, env = process.env): ServeConfig {
  const base: ServeConfigInput = flags.config ? readConfigFile(flags.config) : {};
  const keys = [
    ...keysFromEnv(env.SEQRANK_API_KEYS),
    ...(flags.apiKeysFile ? keysFromFile(flags.apiKeysFile) : []),
    ...keysFromFlags(flags.apiKey),
  ];
  const secret = flags.pseudonymize ? env.SEQRANK_PSEUDONYMIZE_SECRET : undefined;
  if (flags.pseudonymize && !secret)
    throw new SeqrankError(
      "SR_ERR_CLI_ARG",
      "--pseudonymize needs SEQRANK_PSEUDONYMIZE_SECRET (16+ characters)",
    );
  const input: ServeConfigInput = {
    ...base,
    host: flags.host ?? base.host,
    port: flags.port ?? base.port,
    dataDir: flags.data ?? base.dataDir,
    modelDir: flags.model ?? base.modelDir,
    catalogFile: flags.catalog ?? base.catalogFile,
    catalogColumns: flags.catalogColumns
      ? (parseConfigJson(flags.catalogColumns, "--catalog-columns") as ServeConfigInput["catalogColumns"])
      : base.catalogColumns,
    logLevel: (flags.logLevel as ServeConfig["logLevel"]) ?? base.logLevel,
    storage: {
      ...base.storage,
      sqlitePath: flags.db ?? base.storage?.sqlitePath,
      redisUrl: flags.redis ?? base.storage?.redisUrl,
      redisPrefix: flags.redisPrefix ?? base.storage?.redisPrefix,
    },
    auth: {
      ...base.auth,
      keys: [...(base.auth?.keys ?? []), ...keys],
      publicReads: flags.publicReads ?? base.auth?.publicReads,
      openWrites: flags.openWrites ?? base.auth?.openWrites,
    },
    privacy: {
      ...base.privacy,
      pseudonymizeSecret: secret ?? base.privacy?.pseudonymizeSecret,
      logUserIds: flags.logUserIds ?? base.privacy?.logUserIds,
    },
    limits: {
      ...base.limits,
      bodyLimitBytes: flags.bodyLimit ?? base.limits?.bodyLimitBytes,
      rateLimit:
        flags.rateLimit === undefined
          ? base.limits?.rateLimit
          : flags.rateLimit === false
            ? { ...base.limits?.rateLimit, enabled: false }
            : { ...base.limits?.rateLimit, enabled: true, max: flags.rateLimit, windowMs: 1000 },
    },
  };
  return parseServeConfig(input);
}

export function registerServe(program: Command, options: ServeCommandOptions = {}): void {
  program
    .command("serve")
    .description("serve the HTTP API (events, catalogue, users, health, metrics, and any extension plugins)")
    .option("--config <file>", "service config JSON (flags override it)")
    .option(
      "--data <dir>",
      "prepared dataset to import once: user sequences, catalogue (and Pop without --model)",
    )
    .option(
      "--model <dir>",
      "model registry (serves current), exported model or training run (docs/models.md)",
    )
    .option("--catalog <file>", "catalogue JSONL imported when the catalogue is empty")
    .option(
      "--catalog-columns <json>",
      'which keys of the catalogue lines are which item fields, as prepare\'s item "columns": {"item":"sku","title":"name","brand":"maker","category":["dept","aisle"],"price":"price","attributes":"tags"}',
    )
    .option("--host <host>", "listen address (default 127.0.0.1)")
    .option("--port <port>", "listen port (default 8080, 0 = any free port)", integer("--port"))
    .option("--db <file>", "SQLite file for events and catalogue (default: in memory)")
    .option("--redis <url>", "Redis URL: user sequences and caches shared by every replica")
    .option("--redis-prefix <prefix>", "prefix of every Redis key (default seqrank:)")
    .option(
      "--api-key <key[:scopes]>",
      "API key with scopes read,write,metrics (repeatable; visible in the process list: prefer " +
        "$SEQRANK_API_KEYS, whitespace-separated, or --api-keys-file)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option("--api-keys-file <file>", "API keys, one key[:scopes] per line (# comments)")
    .option("--public-reads", "with keys configured, let requests without a key read (not /metrics)")
    .option("--open-writes", "accept writes without a key (local demos only)")
    .option("--pseudonymize", "store HMAC-SHA256 of user ids, keyed by $SEQRANK_PSEUDONYMIZE_SECRET")
    .option("--log-user-ids", "write user ids into request logs")
    .option("--rate-limit <n>", "requests per second per key or IP (default 5000)", integer("--rate-limit"))
    .option("--no-rate-limit", "turn rate limiting off")
    .option("--body-limit <bytes>", "largest accepted request body (default 1 MiB)", integer("--body-limit"))
    .option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent (default info)")
    .action(async (flags: ServeFlags) => {
      const config = serveConfigFromFlags(flags);
      if (flags.apiKey.length)
        process.stderr.write(
          "warning: --api-key is visible to local users in the process list; prefer $SEQRANK_API_KEYS or --api-keys-file\n",
        );
      const plugins = (await options.plugins?.(config)) ?? [];
      const server = await startServer({ config, plugins });
      printResultLine({
        listening: server.url,
        store: server.app.store.kind,
        plugins: plugins.length,
        writeKeys: config.auth.keys.filter((k) => k.scopes.includes("write")).length,
        publicReads: config.auth.publicReads,
        openWrites: config.auth.openWrites,
      });
    });
}
