// The delta log as a table of the embedded SQLite file, so live co-visitation and popularity survive a
// restart. Only the owning process writes it, so there is nothing to watch.
import type Database from "better-sqlite3";
import type { DeltaLog, DeltaPage, InteractionDelta } from "./delta-log.js";

const SCHEMA = `CREATE TABLE IF NOT EXISTS interaction_deltas (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  item_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  previous TEXT NOT NULL
)`;

export class SqliteDeltaLog implements DeltaLog {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
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
    const run = this.db.transaction((batch: InteractionDelta[]) => {
      for (const d of batch) this.stmts.insert.run(d.item, d.ts, JSON.stringify(d.previous));
    });
    run(deltas);
  }

  async after(cursor: string, limit: number): Promise<DeltaPage> {
    const rows = this.stmts.page.all(Number(cursor || 0), limit) as Array<[number, string, number, string]>;
    return {
      deltas: rows.map(([, item, ts, previous]) => ({ item, ts, previous: JSON.parse(previous) })),
      cursor: rows.length > 0 ? String(rows[rows.length - 1][0]) : cursor,
    };
  }

  watch(): () => Promise<void> {
    return async () => {};
  }
}
