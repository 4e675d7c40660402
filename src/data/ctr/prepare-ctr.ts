// `prepare` for a config with a `ctr` section, as a library verb: the ingest stage (DuckDB staging, cleaning,
// quarantine) and then the CTR table build, on one connection. `seqrank prepare` calls it for such configs,
// and loadCtrDataset (through ctr-prepared-cache.ts) for the built-in CTR protocols.
import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqrankError } from "../../util/errors.js";
import { accountPrepare, type RowAccount } from "../accounting.js";
import { type OpenOptions, openDuckDB } from "../db.js";
import { type IngestProgress, type IngestResult, ingest } from "../ingest.js";
import { type IngestSpecInput, parseIngestSpec, type SourceRole } from "../source.js";
import { type BuildCtrResult, buildCtrTable } from "./build-ctr.js";

export interface PrepareCtrOptions {
  out: string;
  /** Connection to work on; default: a new in-memory database (see `db`). */
  conn?: DuckDBConnection;
  db?: OpenOptions;
  filteredRowsLimit?: number;
  onProgress?: (p: IngestProgress) => void;
}

export interface PrepareCtrResult {
  ingested: Omit<IngestResult, "conn" | "close">;
  built: BuildCtrResult;
  /** rows read = kept + quarantined + filtered, per table read. */
  accounting: Partial<Record<SourceRole, RowAccount>>;
}

export async function prepareCtr(spec: IngestSpecInput, opts: PrepareCtrOptions): Promise<PrepareCtrResult> {
  const parsed = parseIngestSpec(spec);
  if (!parsed.ctr) throw new SeqrankError("SR_ERR_CONFIG", `${parsed.name}: the config has no "ctr" section`);
  const build = Object.keys(parsed.build);
  if (build.length) {
    throw new SeqrankError(
      "SR_ERR_CONFIG",
      `${parsed.name}: "build" (${build.join(", ")}) sets the sequence build; a CTR table takes its rows, labels and split from "ctr"`,
    );
  }
  const own = opts.conn ? undefined : await openDuckDB(opts.db);
  const conn = opts.conn ?? own!.conn;
  try {
    const {
      conn: _c,
      close: _close,
      ...ingested
    } = await ingest(spec, {
      out: opts.out,
      conn,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    if (ingested.counts.interactions === 0) {
      throw new SeqrankError("SR_ERR_EMPTY_DATASET", `${ingested.name}: no events left after cleaning`);
    }
    const built = await buildCtrTable(conn, parsed.ctr, {
      out: opts.out,
      name: ingested.name,
      ingestRules: ingested.rules,
      ...(opts.filteredRowsLimit === undefined ? {} : { filteredRowsLimit: opts.filteredRowsLimit }),
    });
    const accounting = accountPrepare(ingested.files, built.rules, built.keptEvents);
    return { ingested, built, accounting };
  } finally {
    own?.close();
  }
}
