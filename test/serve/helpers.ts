// Shared by the serve tests: paths, keys, an in-process app, a real server process, Redis key cleanup.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { type BuildAppOptions, buildApp, type ServeConfigInput } from "../../src/serve/index.js";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const datasetsDir = join(repoRoot, "..", "shared", "datasets");
export const REDIS_URL = process.env.SEQRANK_TEST_REDIS ?? "redis://127.0.0.1:6379";

export const WRITE_KEY = "write-key-0123456789";
export const READ_KEY = "read-key-0123456789a";
/** Reads are public here so feature tests can read without a key; test/faults/auth.test.ts tests closed reads. */
export const KEYS: ServeConfigInput["auth"] = {
  keys: [
    { key: WRITE_KEY, scopes: ["read", "write", "metrics"], name: "writer" },
    { key: READ_KEY, scopes: ["read"], name: "reader" },
  ],
  publicReads: true,
};
export const WRITE = { "x-api-key": WRITE_KEY };

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `seqrank-serve-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** An app with silent logs, the test keys and no rate limit unless the config says otherwise. */
export function testApp(config: ServeConfigInput = {}, extra: Omit<BuildAppOptions, "config"> = {}) {
  return buildApp({
    ...extra,
    config: {
      logLevel: "silent",
      auth: KEYS,
      ...config,
      limits: { rateLimit: { enabled: false }, ...config.limits },
    },
  });
}

/** A key prefix no other test run uses. */
export const uniquePrefix = (name: string) =>
  `seqrank-test:${name}:${process.pid}:${randomBytes(4).toString("hex")}:`;

/** Deletes every Redis key under the prefix. */
export async function cleanRedis(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  /** SIGKILL, or SIGTERM for a graceful stop; resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The `seqrank` CLI itself: `serve` with the recommender and dashboard plugins. */
export const CLI_ENTRY = join(repoRoot, "src", "cli", "index.ts");
const CORE_ENTRY = join(repoRoot, "test", "serve", "serve-process.ts");

/**
 * Spawns `seqrank serve <args>` as a real process and waits until it listens: the core service only
 * (test/serve/serve-process.ts), or with `entry: CLI_ENTRY` the service as the CLI runs it.
 */
export function spawnServer(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; entry?: string } = {},
): Promise<ServerProcess> {
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", opts.entry ?? CORE_ENTRY, "serve", "--port", "0", ...args],
    { cwd: repoRoot, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  proc.stderr!.on("data", (d) => {
    err += d;
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 30_000);
    const onEarlyExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${err}`));
    };
    proc.once("exit", onEarlyExit);
    proc.stdout!.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.includes('"listening"'));
      if (!line) return;
      clearTimeout(timer);
      proc.off("exit", onEarlyExit);
      resolve({
        url: JSON.parse(line).listening,
        proc,
        stderr: () => err,
        stop: async (signal = "SIGKILL") => {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
          await exited;
        },
      });
    });
  });
}
