// The delta log as a table of the embedded SQLite file, so live co-visitation and popularity survive a
// restart. Only the owning process writes it, so there is nothing to watch. The deltas are counts derived
// from events already committed, not acknowledged data: in WAL mode their commit skips the fsync
// (synchronous = NORMAL for that one transaction). A WAL commit without fsync still survives kill -9 (the
// frames are in the OS's cache); a power loss can cost the deltas committed since the last fsync'd commit
// (the next event commit fsyncs the WAL, deltas included), never an event.
import type { DeltaLog, DeltaPage, InteractionDelta } from "./delta-log.js";
import type { SqliteTables } from "./sqlite-tables.js";
import { withoutCommitFsync } from "./wal-sync.js";

const SCHEMA = `CREATE TABLE IF NOT EXISTS interaction_deltas (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  item_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  previous TEXT NOT NULL
)`;

export class SqliteDeltaLog implements DeltaLog {
  private readonly stmts;
  /** The connection's own setting, restored after each delta commit; undefined when not in WAL mode. */
  private readonly durableSync: number | undefined;

  constructor(private readonly tables: SqliteTables) {
    const db = tables.db;
    tables.guard(() => db.exec(SCHEMA));
    // Outside WAL (":memory:"), NORMAL would not keep an interrupted commit safe: leave it as it is.
    const wal = db.pragma("journal_mode", { simple: true }) === "wal";
    this.durableSync = wal ? (db.pragma("synchronous", { simple: true }) as number) : undefined;
    this.stmts = {
      insert: db.prepare("INSERT INTO interaction_deltas (item_id, ts, previous) VALUES (?, ?, ?)"),
      page: db
        .prepare(
          "SELECT seq, item_id, ts, previous FROM interaction_deltas WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .raw(),
    };
  }

  async append(deltas: InteractionDelta[]): Promise<void> {
    const db = this.tables.db;
    const run = db.transaction((batch: InteractionDelta[]) => {
      for (const d of batch) this.stmts.insert.run(d.item, d.ts, JSON.stringify(d.previous));
    });
    const level = this.durableSync;
    this.tables.guard(() =>
      level === undefined ? run(deltas) : withoutCommitFsync(db, level, () => run(deltas)),
    );
  }

  async after(cursor: string, limit: number): Promise<DeltaPage> {
    const rows = this.tables.guard(
      () => this.stmts.page.all(Number(cursor || 0), limit) as Array<[number, string, number, string]>,
    );
    return {
      deltas: rows.map(([, item, ts, previous]) => ({ item, ts, previous: JSON.parse(previous) })),
      cursor: rows.length > 0 ? String(rows[rows.length - 1][0]) : cursor,
    };
  }

  watch(): () => Promise<void> {
    return async () => {};
  }
}
