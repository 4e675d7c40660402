// A redis-server of the test's own on a free port, without persistence, that the test can stop and restart
// (empty, as a restart without persistence leaves it). Never the shared one on 6379.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** Why the outage tests cannot run here, or undefined when redis-server is on PATH. */
export function redisServerMissing(): string | undefined {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  return probe.error
    ? "redis-server is not on PATH: the Redis outage tests need a real Redis to stop"
    : undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class RedisProcess {
  private proc: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisProcess> {
    const r = new RedisProcess(await freePort());
    await r.restart();
    return r;
  }

  /** Starts the server (empty) and resolves once it answers PING. */
  async restart(): Promise<void> {
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    this.proc = spawn("redis-server", args, { stdio: "ignore" });
    const client = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => {}); // refused until the server listens: the loop retries
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await client.connect();
          await client.ping();
          return;
        } catch (err) {
          if (attempt > 200) throw err;
          client.disconnect();
          await new Promise((r) => setTimeout(r, 25));
        }
      }
    } finally {
      client.disconnect();
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open, commands hang — until `resume`. */
  pause(): void {
    this.proc?.kill("SIGSTOP");
  }

  resume(): void {
    this.proc?.kill("SIGCONT");
  }

  /** Kills the server (everything in it is gone) and resolves once it has exited. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGKILL");
    await exited;
  }
}
