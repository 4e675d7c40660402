// A `seqrank serve` child process for the benchmarks that attack or load the service from outside
// (bench/faults.ts, bench/ingest.ts): started with its arguments, resolved once it prints where it listens.
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface ServeProcess {
  url: string;
  proc: ChildProcess;
  /** True once the process has exited (a crash shows here). */
  exited(): boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ServeProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Node flags before the CLI (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Another script that prints where it listens the same way (a reference server), run instead of the CLI. */
  script?: string;
}

/** Starts `seqrank serve <args>` (or `opts.script <args>`); rejects with the end of what it printed if it exits before listening. */
export function serveProcess(args: string[], opts: ServeProcessOptions = {}): Promise<ServeProcess> {
  const proc = spawn(
    process.execPath,
    [
      ...(opts.nodeArgs ?? []),
      ...(opts.script ? [opts.script] : [join(repoRoot, "bin", "seqrank.js"), "serve"]),
      ...args,
    ],
    { cwd: repoRoot, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  let gone = false;
  const exit = new Promise<void>((r) => proc.once("exit", () => r()));
  proc.once("exit", () => {
    gone = true;
  });
  proc.stderr!.on("data", (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = out.match(/"listening":"([^"]+)"/);
      if (m)
        resolve({
          url: m[1],
          proc,
          exited: () => gone,
          stop: async (signal = "SIGTERM") => {
            if (!gone) proc.kill(signal);
            await exit;
          },
        });
    });
    proc.once("exit", (code) => reject(new Error(`exited ${code}: ${(err || out).slice(-600)}`)));
  });
}
