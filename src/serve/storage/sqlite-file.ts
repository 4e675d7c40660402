// Opening the SQLite file behind a store. A missing file is created complete (schema and the seqrank
// application id, built under a temporary name and linked into place, so a crash never leaves a half-made
// file). An existing file must be ours: a 0-byte file or another application's database is a coded error
// naming the file, never a silently empty store. SQLite errors meaning a damaged or unreadable file are
// rethrown naming the file.
import { existsSync, linkSync, renameSync, statSync, unlinkSync } from "node:fs";
import Database from "better-sqlite3";
import { SeqrankError } from "../../util/errors.js";

/** PRAGMA application_id of seqrank files ("sqrk"). */
const APPLICATION_ID = 0x7371726b;
/** Tables a file written by an earlier seqrank version (no application id yet) has. */
const LEGACY_TABLES = ["events", "items", "markers"];

const FILE_ERRORS = /^SQLITE_(CORRUPT|NOTADB|IOERR|CANTOPEN|FULL|READONLY|PERM)/;

/** A damaged-or-unreadable-file error from SQLite as SR_ERR_DB_FILE naming the file; anything else as is. */
export function namedFileError(path: string, err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (err instanceof Database.SqliteError && typeof code === "string" && FILE_ERRORS.test(code))
    return new SeqrankError("SR_ERR_DB_FILE", `${path}: ${err.message} (${code})`);
  return err;
}

/** Runs `fn`, rethrowing file errors with the file's name. */
export function guarded<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw namedFileError(path, err);
  }
}

const inMemory = (path: string) => path === ":memory:" || path === "";

/** Opens (creating when missing) a seqrank database file; `init` creates the schema. */
export function openDatabase(path: string, init: (db: Database.Database) => void): Database.Database {
  if (inMemory(path)) {
    const db = new Database(path);
    init(db);
    return db;
  }
  if (!existsSync(path)) createFile(path, init);
  if (statSync(path).size === 0)
    throw new SeqrankError(
      "SR_ERR_DB_FILE",
      `${path}: the database file is empty (0 bytes); remove it to start a new store, or restore it`,
    );
  return guarded(path, () => {
    const db = new Database(path, { fileMustExist: true });
    try {
      adopt(path, db);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("busy_timeout = 5000");
      init(db);
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  });
}

/** Checks the file is a seqrank database; a seqrank file of an earlier version gets the application id. */
function adopt(path: string, db: Database.Database): void {
  const id = db.pragma("application_id", { simple: true }) as number;
  if (id === APPLICATION_ID) return;
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (id === 0 && LEGACY_TABLES.every((t) => tables.includes(t))) {
    db.pragma(`application_id = ${APPLICATION_ID}`);
    return;
  }
  const holds = tables.length > 0 ? `tables ${tables.join(", ")}` : "no tables";
  throw new SeqrankError(
    "SR_ERR_DB_FILE",
    `${path}: not a seqrank database (application id ${id}, ${holds}); give a new path or the right file`,
  );
}

function createFile(path: string, init: (db: Database.Database) => void): void {
  const temp = `${path}.tmp-${process.pid}`;
  try {
    guarded(path, () => {
      const db = new Database(temp);
      try {
        db.pragma(`application_id = ${APPLICATION_ID}`);
        init(db);
      } finally {
        db.close();
      }
    });
    try {
      linkSync(temp, path); // fails when another process created the file first: theirs is kept
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return;
      if (!existsSync(path)) renameSync(temp, path); // a file system without hard links
    }
  } finally {
    if (existsSync(temp)) unlinkSync(temp);
  }
}
