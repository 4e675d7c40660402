// Durable commits without blocking the event loop on the fsync. better-sqlite3 is synchronous: with
// synchronous = FULL, a commit's fsync of the WAL (the larger part of a small commit) blocks the loop, and
// no request is read meanwhile. Instead the transaction commits with synchronous = NORMAL (its frames are
// written to the WAL, in the OS's cache: that already survives kill -9) and the WAL file is then fsync'd on
// libuv's thread pool, the loop free; the caller acknowledges only after that fsync has returned, so an
// acknowledged event survives power loss exactly as with FULL. Syncs complete in commit order (each waits
// for the one before it, and the commits made during one share the next), so writes are acknowledged in the
// order they committed.
import { closeSync, fdatasync, openSync } from "node:fs";
import type Database from "better-sqlite3";
import { SeqrankError } from "../../util/errors.js";

/** Runs `fn` (a transaction) with synchronous = NORMAL, restoring the connection's `level` after it. */
export function withoutCommitFsync<T>(db: Database.Database, level: number, fn: () => T): T {
  db.pragma("synchronous = NORMAL");
  try {
    return fn();
  } finally {
    db.pragma(`synchronous = ${level}`);
  }
}

export class WalSync {
  /**
   * The WAL file, opened at the first sync (SQLite creates it at the first write). It stays the same file
   * while this connection is open: SQLite deletes it only when the last connection to the database closes.
   */
  private fd: number | undefined;
  /** The fsync in flight, and the one that starts when it ends, shared by every commit made meanwhile. */
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** `level`: the connection's own synchronous setting, restored after each commit. */
  private constructor(
    private readonly walPath: string,
    private readonly level: number,
  ) {}

  /** For a connection in WAL mode on `path`; undefined otherwise (commits then keep SQLite's own fsync). */
  static of(db: Database.Database, path: string): WalSync | undefined {
    if (db.pragma("journal_mode", { simple: true }) !== "wal") return undefined;
    return new WalSync(`${path}-wal`, db.pragma("synchronous", { simple: true }) as number);
  }

  /** Commits `transaction`, then resolves once its WAL frames are on disk (rejects naming the file if not). */
  async commit<T>(db: Database.Database, transaction: () => T): Promise<T> {
    const result = withoutCommitFsync(db, this.level, transaction);
    await this.sync();
    return result;
  }

  /**
   * One fdatasync covers every frame written before it starts, so the commits made while one runs share the
   * next (group commit at the disk). A failed sync fails the commits waiting on it; the next one tries again.
   */
  private sync(): Promise<void> {
    if (!this.running) {
      this.running = this.fsync().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => {})
      .then(() => {
        this.queued = undefined;
        return this.sync();
      });
    return this.queued;
  }

  private fsync(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      try {
        this.fd ??= openSync(this.walPath, "r");
      } catch (err) {
        return reject(this.fileError(err));
      }
      fdatasync(this.fd, (err) => (err ? reject(this.fileError(err)) : resolve()));
    });
  }

  private fileError(err: unknown): SeqrankError {
    return new SeqrankError("SR_ERR_DB_FILE", `${this.walPath}: fsync failed: ${(err as Error).message}`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
