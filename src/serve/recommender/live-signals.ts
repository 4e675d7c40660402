// Live co-visitation and popularity kept in step with the store's delta log. Each process holds the counts in
// memory and the read path never leaves it: a recommendation has a 10 ms p99 budget and reads dozens of
// neighbour rows, so a Redis round trip per candidate (or per request) is not affordable. Instead every
// process applies the log in the log's order: its own deltas on the write path (append, then catch up, so
// the writer's next answer already has them), other replicas' when the log's watcher wakes it (Redis: a
// blocking XREAD, about one round trip late). The same dataset plus the same deltas in the same order give
// the same counts on every replica, and a restart rebuilds them by replaying the log.
import type { DeltaLog, InteractionDelta } from "../storage/index.js";

const PAGE = 1000;

export class LiveSignals {
  /** Position of the last delta applied. */
  private cursor = "";
  /** Catch-ups run one at a time, so no delta is applied twice. */
  private queue: Promise<void> = Promise.resolve();
  /** The catch-up queued and not started yet, which later callers join. */
  private waiting: Promise<void> | undefined;

  constructor(
    private readonly log: DeltaLog,
    private readonly apply: (delta: InteractionDelta) => void,
  ) {}

  /** Appends the deltas, then applies everything up to them (others' deltas first, in log order). */
  async record(deltas: InteractionDelta[]): Promise<void> {
    await this.log.append(deltas);
    await this.catchUp();
  }

  /**
   * Applies every delta appended before the call. A catch-up that has not started yet reads all of those, so
   * a call joins it rather than queueing another: a group commit's requests, resumed in one turn, share one
   * read of the log.
   */
  catchUp(): Promise<void> {
    if (this.waiting) return this.waiting;
    const run = this.queue.then(() => {
      this.waiting = undefined;
      return this.drain();
    });
    this.waiting = run;
    this.queue = run.catch(() => {});
    return run;
  }

  /** Follows deltas appended by other processes until the returned function is called. */
  follow(onError: (err: unknown) => void): () => Promise<void> {
    return this.log.watch(
      () => this.cursor,
      () => this.catchUp().catch(onError),
    );
  }

  private async drain(): Promise<void> {
    for (;;) {
      const page = await this.log.after(this.cursor, PAGE);
      for (const delta of page.deltas) this.apply(delta);
      this.cursor = page.cursor;
      if (page.deltas.length < PAGE) return; // the end of the log when read: no second, empty read
    }
  }
}
