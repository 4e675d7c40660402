// The DeepCTR sample files (ctr-samples/): Criteo (13 integer features, log-transformed; 26 hashed
// categoricals), Avazu (hashed categoricals, hour of day and weekday from YYMMDDHH) and a MovieLens sample
// (profile, genres, hour and weekday from the timestamp). Too small for accuracy: they exercise the formats.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SeqrankError } from "../../util/errors.js";
import { assertRawData, Interner, type RawColumn, type RawCtrData, randomSplit } from "./ctr-data.js";

export const CTR_SAMPLES = ["criteo", "avazu", "movielens"] as const;
export type CtrSample = (typeof CTR_SAMPLES)[number];

/** Splits one CSV line, honouring double quotes (MovieLens titles contain commas). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === "," && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function readCsv(path: string): { header: string[]; rows: string[][] } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new SeqrankError("SR_ERR_CTR_DATA", `cannot read ${path}: ${(e as Error).message}`);
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  return { header: splitCsvLine(lines[0]), rows: lines.slice(1).map(splitCsvLine) };
}

const col = (header: string[], rows: string[][], name: string) => {
  const i = header.indexOf(name);
  if (i < 0) throw new SeqrankError("SR_ERR_CTR_DATA", `missing column ${name}`);
  return rows.map((r) => r[i] ?? "");
};

const rowCategorical = (name: string, values: string[], encoding: "vocab" | "hash" = "vocab"): RawColumn => ({
  name,
  kind: "categorical",
  key: "row",
  group: name === "hour" || name === "weekday" ? "context" : "item",
  encoding,
  values,
});

/** Hour of day and weekday (UTC) of unix seconds. */
function clock(seconds: number): [string, string] {
  const d = new Date(seconds * 1000);
  return [String(d.getUTCHours()), String(d.getUTCDay())];
}

/** `dir` is the ctr-samples folder. */
export function readCtrSample(dir: string, sample: CtrSample, seed = 2024): RawCtrData {
  const { header, rows } = readCsv(join(dir, `${sample}_sample.txt`));
  const n = rows.length;
  const users = new Interner();
  const items = new Interner();
  let user = new Int32Array(n);
  let item = Int32Array.from({ length: n }, (_, i) => i);
  let label: Uint8Array;
  const columns: RawColumn[] = [];
  if (sample === "criteo") {
    label = Uint8Array.from(col(header, rows, "label"), Number);
    for (let i = 1; i <= 13; i++) {
      const values = Float64Array.from(col(header, rows, `I${i}`), (v) =>
        v === "" ? Number.NaN : Number(v),
      );
      columns.push({
        name: `I${i}`,
        kind: "numeric",
        key: "row",
        group: "item",
        transform: "log-standardize",
        values,
      });
    }
    for (let i = 1; i <= 26; i++) columns.push(rowCategorical(`C${i}`, col(header, rows, `C${i}`), "hash"));
  } else if (sample === "avazu") {
    label = Uint8Array.from(col(header, rows, "click"), Number);
    const times = col(header, rows, "hour").map((h) => {
      const date = Date.UTC(2000 + Number(h.slice(0, 2)), Number(h.slice(2, 4)) - 1, Number(h.slice(4, 6)));
      return [h.slice(6, 8), String(new Date(date).getUTCDay())];
    });
    columns.push(
      rowCategorical(
        "hour",
        times.map((t) => t[0]),
      ),
      rowCategorical(
        "weekday",
        times.map((t) => t[1]),
      ),
    );
    for (const name of header.slice(3)) columns.push(rowCategorical(name, col(header, rows, name), "hash"));
  } else {
    label = Uint8Array.from(col(header, rows, "rating"), (r) => (Number(r) >= 4 ? 1 : 0));
    user = Int32Array.from(col(header, rows, "user_id"), (u) => users.id(u));
    item = Int32Array.from(col(header, rows, "movie_id"), (m) => items.id(m));
    const times = col(header, rows, "timestamp").map((t) => clock(Number(t)));
    columns.push(
      {
        name: "user_id",
        kind: "categorical",
        key: "row",
        group: "user",
        values: col(header, rows, "user_id"),
      },
      ...["gender", "age", "occupation", "zip"].map(
        (c): RawColumn => ({
          name: c,
          kind: "categorical",
          key: "row",
          group: "user",
          values: col(header, rows, c),
        }),
      ),
      rowCategorical("movie_id", col(header, rows, "movie_id")),
      {
        name: "genres",
        kind: "multi",
        key: "row",
        group: "item",
        maxLen: 6,
        values: col(header, rows, "genres").map((g) => g.split("|").filter(Boolean)),
      },
      rowCategorical(
        "hour",
        times.map((t) => t[0]),
      ),
      rowCategorical(
        "weekday",
        times.map((t) => t[1]),
      ),
    );
  }
  const data: RawCtrData = {
    name: `ctr-samples/${sample}`,
    user,
    item,
    nUsers: Math.max(1, users.size),
    nItems: sample === "movielens" ? items.size : n,
    labels: { click: label },
    split: randomSplit(n, seed),
    columns,
  };
  assertRawData(data);
  return data;
}
