// The built-in CTR protocols are prepare configs (movielens.ts, taobao.ts), prepared once through the DuckDB
// stage and cached: loadCtrDataset is synchronous (the rankers' run loads its data that way) while DuckDB is
// not, so the first load of a config prepares it in a child process (prepare-child.ts) and waits for it.
// The cache folder is named by a hash of the config, of the size and time of every file it reads and of the
// data stage's code, so an edited file, option or stage prepares again; folders appear complete or not at
// all (prepared aside, then renamed).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SeqrankError } from "../../util/errors.js";
import type { IngestSpecInput } from "../source.js";
import { CTR_JSON } from "./ctr-cache.js";

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

/** The prepared folder of `spec`, preparing it first (in a child process) unless it is cached. */
export function preparedCtrDir(spec: IngestSpecInput): string {
  const dir = ctrCacheDir(spec);
  if (existsSync(join(dir, CTR_JSON))) return dir;
  const work = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(work, { recursive: true });
  try {
    process.stderr.write(`preparing the CTR table ${spec.name} (seqrank prepare, cached in ${dir})\n`);
    prepareCtrSync(spec, work);
    try {
      renameSync(work, dir);
    } catch (err) {
      // Another process prepared the same config first: use its folder.
      if (!existsSync(join(dir, CTR_JSON))) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

/** Runs prepareCtr(spec, out) in a child process and waits; its errors come back with their codes. */
export function prepareCtrSync(spec: IngestSpecInput, out: string): void {
  mkdirSync(out, { recursive: true });
  const specFile = join(out, "prepare.json");
  writeFileSync(specFile, `${JSON.stringify(spec, null, 2)}\n`);
  const here = fileURLToPath(import.meta.url);
  const script = join(dirname(here), `prepare-child${extname(here)}`);
  // From the TypeScript sources (tsx), the child needs the same loader.
  const loader = extname(here) === ".ts" ? ["--import", import.meta.resolve("tsx")] : [];
  const child = spawnSync(process.execPath, [...loader, script, specFile, out], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (child.status === 0) return;
  const marked = (child.stderr ?? "").split("\n").find((l) => l.startsWith(ERROR_MARK));
  if (marked) {
    const { code, message } = JSON.parse(marked.slice(ERROR_MARK.length)) as {
      code: string;
      message: string;
    };
    throw new SeqrankError(code, message);
  }
  const detail = (child.stderr || String(child.error ?? "no output")).trim();
  throw new SeqrankError("SR_ERR_INTERNAL", `preparing ${spec.name} failed: ${detail}`);
}

/** The line on which the child reports an error: this mark, then {code, message} as JSON. */
export const ERROR_MARK = "@@seqrank-error ";
