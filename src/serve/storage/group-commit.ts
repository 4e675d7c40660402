// Group commit: concurrent writes share one durable transaction. A durable commit costs an fsync (about a
// millisecond or more), and with one per request the fsyncs, not the work, bound ingest. Writes queue here;
// one group commits at a time, and every write that arrives meanwhile (or in the same event-loop turn) joins
// the next group. Each write's promise settles only once its group's commit has settled: resolved with its
// own share of the result, or rejected with the commit's error (every write in the group gets the same one,
// and none of them was acknowledged). better-sqlite3 commits synchronously and blocks the loop, so requests
// that arrive during a commit are read by the next loop turn: the next group is taken then (setImmediate),
// not at once.
import { SeqrankError } from "../../util/errors.js";
import type { DeltaLog, InteractionDelta } from "./delta-log.js";
import type { AppendResult, EventLog, NewEvent } from "./event-log.js";
import type { Store } from "./store.js";

interface Waiting<T, R> {
  items: T[];
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions<T, C, R> {
  /** Commits one group's items, in arrival order, in one durable transaction. */
  commit: (items: T[]) => Promise<C>;
  /** One write's share (its items are `from` to `to` of the group) of the group's result. */
  share: (committed: C, from: number, to: number) => R;
  /** Most items a group takes; a single larger write still commits whole, alone. */
  maxItems: number;
  /**
   * Whether a failed group's error lies in one write's own input (not in the store every write shares): then
   * the writes are committed one by one, so only the faulty one fails.
   */
  isInputError?: (err: unknown) => boolean;
  /**
   * `commit` applies its transaction synchronously before it first awaits (then waits for durability): the
   * next group may then commit while this one's fsync is in flight. Writes still settle in commit order, as
   * long as `commit`'s promises resolve in the order they were made (the WAL syncs do).
   */
  pipelined?: boolean;
  /** Called after each successful commit with the group's size and how long it took (metrics). */
  onCommit?: (items: number, writes: number, seconds: number) => void;
}

export class GroupCommit<T, C, R> {
  private queue: Array<Waiting<T, R>> = [];
  /** A group is scheduled or committing. */
  private busy = false;
  /** Writes queued and settled so far: writes settle in queue order, so these two order every barrier. */
  private queued = 0;
  private settled = 0;
  private barriers: Array<{ after: number; resolve: () => void }> = [];

  constructor(private readonly opts: GroupCommitOptions<T, C, R>) {}

  /** Queues the items; settles once the group they joined has committed (or failed). */
  write(items: T[]): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queued++;
      if (!this.busy) this.scheduleNext();
    });
  }

  /** Resolves once every write queued so far has settled (later ones are not waited for). */
  flushed(): Promise<void> {
    if (this.settled === this.queued) return Promise.resolve();
    const after = this.queued;
    return new Promise((resolve) => this.barriers.push({ after, resolve }));
  }

  private scheduleNext(): void {
    this.busy = true;
    setImmediate(() => void this.commitNext());
  }

  private async commitNext(): Promise<void> {
    const group = this.takeGroup();
    const done = this.settleGroup(group);
    if (!this.opts.pipelined) await done;
    if (this.queue.length > 0) this.scheduleNext();
    else this.busy = false;
  }

  private async settleGroup(group: Array<Waiting<T, R>>): Promise<void> {
    try {
      await this.commitGroup(group);
    } catch (err) {
      if (group.length > 1 && this.opts.isInputError?.(err)) {
        for (const w of group) await this.commitGroup([w]).catch(w.reject);
      } else for (const w of group) w.reject(err);
    }
    this.settled += group.length;
    for (const b of this.barriers) if (b.after <= this.settled) b.resolve();
    this.barriers = this.barriers.filter((b) => b.after > this.settled);
  }

  /** Commits the writes together and resolves each with its share; throws the commit's error. */
  private async commitGroup(group: Array<Waiting<T, R>>): Promise<void> {
    const items = group.length === 1 ? group[0].items : group.flatMap((w) => w.items);
    const t0 = performance.now();
    const committed = await this.opts.commit(items);
    const seconds = (performance.now() - t0) / 1000;
    let from = 0;
    for (const w of group) {
      const to = from + w.items.length;
      w.resolve(this.opts.share(committed, from, to));
      from = to;
    }
    this.opts.onCommit?.(items.length, group.length, seconds);
  }

  /** The oldest writes whose items fit in `maxItems` together (at least one write). */
  private takeGroup(): Array<Waiting<T, R>> {
    let n = 1;
    let total = this.queue[0].items.length;
    while (n < this.queue.length && total + this.queue[n].items.length <= this.opts.maxItems) {
      total += this.queue[n].items.length;
      n++;
    }
    return this.queue.splice(0, n);
  }
}

/** One write's share of a group's AppendResult: its own events' `fresh` flags and their counts. */
function appendShare(committed: AppendResult, from: number, to: number): AppendResult {
  const fresh = committed.fresh.slice(from, to);
  const inserted = fresh.reduce((n, f) => n + (f ? 1 : 0), 0);
  return { inserted, duplicates: fresh.length - inserted, fresh };
}

export interface GroupCommitStoreOptions {
  /** Most events (and, separately, interaction deltas) one commit takes from concurrent writes. */
  maxBatchEvents: number;
  onCommit?: (log: "events" | "deltas", items: number, writes: number, seconds: number) => void;
}

/**
 * The store with group commit for its two durable write paths: `events.append` and `deltas.append` (the
 * recommender appends a request's co-visitation and popularity deltas, another commit per request). Events
 * of one group are inserted in arrival order in one transaction, so a second event with an `event_id`
 * already in the group is a duplicate exactly as it would be in a later commit. `flushed` waits for what
 * is queued; `close` too, before closing the store.
 */
export function groupCommitStore(
  inner: Store,
  opts: GroupCommitStoreOptions,
): Store & { flushed(): Promise<void> } {
  const eventWrites = new GroupCommit<NewEvent, AppendResult, AppendResult>({
    commit: (batch) => inner.events.append(batch),
    share: appendShare,
    // The store's own input check (a `ts` that is not integer ms) fails one request, not its whole group.
    isInputError: (err) => err instanceof SeqrankError && err.code === "SR_ERR_VALIDATION",
    // Both stores insert into SQLite before their first await, and their WAL syncs resolve in order.
    pipelined: true,
    maxItems: opts.maxBatchEvents,
    onCommit: (items, writes, seconds) => opts.onCommit?.("events", items, writes, seconds),
  });
  const deltaWrites = new GroupCommit<InteractionDelta, void, void>({
    commit: (batch) => inner.deltas.append(batch),
    share: () => undefined,
    maxItems: opts.maxBatchEvents,
    onCommit: (items, writes, seconds) => opts.onCommit?.("deltas", items, writes, seconds),
  });
  const events: EventLog = {
    append: (batch) => eventWrites.write(batch),
    ofUser: (userId, limit) => inner.events.ofUser(userId, limit),
  };
  const deltas: DeltaLog = {
    append: (batch) => deltaWrites.write(batch),
    after: (cursor, limit) => inner.deltas.after(cursor, limit),
    watch: (cursor, onAppend) => inner.deltas.watch(cursor, onAppend),
  };
  const flushed = async () => {
    await Promise.all([eventWrites.flushed(), deltaWrites.flushed()]);
  };
  return {
    kind: inner.kind,
    events,
    sequences: inner.sequences,
    catalogue: inner.catalogue,
    cache: inner.cache,
    markers: inner.markers,
    deltas,
    // Events queued before the deletion commit first, so a deletion never leaves them behind.
    deleteUser: async (userId) => {
      await eventWrites.flushed();
      return inner.deleteUser(userId);
    },
    stats: () => inner.stats(),
    isOpen: () => inner.isOpen(),
    flushed,
    close: async () => {
      await flushed();
      await inner.close();
    },
  };
}
