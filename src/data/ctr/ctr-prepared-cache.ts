// The built-in CTR protocols are prepare configs (movielens.ts, taobao.ts), prepared once through the DuckDB
// stage (prepareCtr, in this process) and cached. The cache folder is named by a hash of the config, of the
// size and time of every file it reads and of the data stage's code, so an edited file, option or stage
// prepares again. A folder appears complete or not at all: it is prepared in a fresh folder beside it and
// renamed into place, and a rename never replaces a folder another process completed first (that one is
// used). Loads of one config in one process share a single prepare.
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SeqrankError } from "../../util/errors.js";
import type { IngestSpecInput } from "../source.js";
import { CTR_JSON } from "./ctr-cache.js";
import { prepareCtr } from "./prepare-ctr.js";

/** Bumped when the table format changes. */
const TABLE_VERSION = 1;

let stageCode: string | undefined;

/** A hash of the data stage's sources (src/data, this folder included), read once per process. */
function stageCodeHash(): string {
  if (stageCode) return stageCode;
  const h = createHash("sha256");
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.(ts|js)$/.test(e.name)) h.update(e.name).update(readFileSync(path));
    }
  };
  walk(dirname(dirname(fileURLToPath(import.meta.url))));
  stageCode = h.digest("hex");
  return stageCode;
}

/** $SEQRANK_CACHE/ctr, else <tmpdir>/seqrank-cache/ctr. */
export function ctrCacheRoot(): string {
  return join(process.env.SEQRANK_CACHE ?? join(tmpdir(), "seqrank-cache"), "ctr");
}

function sourceFiles(spec: IngestSpecInput): string[] {
  const base = spec.baseDir ?? process.cwd();
  return [...(spec.events ?? []), ...(spec.items ?? []), ...(spec.users ?? [])].map((s) =>
    isAbsolute(s.path) ? s.path : resolve(base, s.path),
  );
}

/** The cache folder of a config. */
export function ctrCacheDir(spec: IngestSpecInput): string {
  const files = sourceFiles(spec).map((f) => {
    const st = existsSync(f) ? statSync(f) : undefined;
    return [f, st?.size ?? -1, st?.mtimeMs ?? -1];
  });
  const key = createHash("sha256")
    .update(JSON.stringify({ version: TABLE_VERSION, code: stageCodeHash(), spec, files }))
    .digest("hex")
    .slice(0, 16);
  return join(ctrCacheRoot(), `${spec.name}-${key}`);
}

/** Prepares of this process still running, by cache folder. */
const inFlight = new Map<string, Promise<string>>();

/** The prepared folder of `spec`, preparing it first unless it is cached. */
export function preparedCtrDir(spec: IngestSpecInput): Promise<string> {
  const dir = ctrCacheDir(spec);
  if (existsSync(join(dir, CTR_JSON))) return Promise.resolve(dir);
  let prepared = inFlight.get(dir);
  if (!prepared) {
    prepared = prepareInto(spec, dir).finally(() => inFlight.delete(dir));
    inFlight.set(dir, prepared);
  }
  return prepared;
}

async function prepareInto(spec: IngestSpecInput, dir: string): Promise<string> {
  mkdirSync(dirname(dir), { recursive: true });
  // A new folder of its own (mkdtemp), never one another prepare is writing.
  const work = mkdtempSync(`${dir}.tmp-${process.pid}-`);
  try {
    process.stderr.write(`preparing the CTR table ${spec.name} (seqrank prepare, cached in ${dir})\n`);
    writeFileSync(join(work, "prepare.json"), `${JSON.stringify(spec, null, 2)}\n`);
    try {
      await prepareCtr(spec, { out: work });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e.code?.startsWith("SR_ERR_")) throw err;
      throw new SeqrankError("SR_ERR_INTERNAL", e.message ?? String(err));
    }
    moveIntoPlace(work, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Renames the complete folder `work` to `dir`. A rename is atomic and does not replace a folder that holds
 * files, so where another process put its complete folder first, that one stays and `work` is left for the
 * caller to remove (returns false).
 */
export function moveIntoPlace(work: string, dir: string): boolean {
  try {
    renameSync(work, dir);
    return true;
  } catch (err) {
    if (existsSync(join(dir, CTR_JSON))) return false;
    throw err;
  }
}
