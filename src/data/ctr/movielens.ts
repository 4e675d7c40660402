// MovieLens-1M as a CTR task: rating ≥ threshold → 1, a seeded random 8:1:1 split of the ratings. Features:
// user id, gender, age, occupation, zip prefix (users.dat); movie id, genres, release year (movies.dat).
// Two protocols: "threshold" keeps every rating (3 is a negative); "recbole" is RecBole's ml-1m_context
// benchmark (the DCN-V2 AUC 0.8998 anchor): rating-3 rows are deleted before labelling and splitting
// (1, 2 → 0; 4, 5 → 1; 739,012 rows) and the zip prefix is not a feature.
// ML-1M has no timestamps, so the "sequence" is the user's other training ratings as two multi-valued item
// fields, liked and disliked (built from training rows only; each row's own movie is left out at batch time).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { Rng } from "../../graph/init.js";
import { parseConfig } from "../../util/config-issues.js";
import { SeqrankError } from "../../util/errors.js";
import type { IngestSpecInput } from "../source.js";
import { assertRawData, Interner, type RawColumn, type RawCtrData, randomSplit, TRAIN } from "./ctr-data.js";
import type { CtrFeatureInput } from "./ctr-spec.js";

export const MovielensCtrOptionsSchema = z.strictObject({
  seed: z.number().int().default(2024),
  protocol: z.enum(["threshold", "recbole"]).default("threshold"),
  /** Ratings ≥ this are positives. */
  threshold: z.number().default(4),
  /** Longest liked / disliked history fed to the model (a seeded sample of the user's training ratings). */
  historyLen: z.number().int().min(0).default(50),
  zipDigits: z.number().int().min(1).max(5).default(2),
});
export type MovielensCtrOptions = z.infer<typeof MovielensCtrOptionsSchema>;

function lines(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "latin1");
  } catch (e) {
    throw new SeqrankError("SR_ERR_CTR_DATA", `cannot read ${path}: ${(e as Error).message}`);
  }
  return text.split("\n").filter((l) => l.trim() !== "");
}

/** `dir` is the movielens-1m folder (ratings.tsv, users.dat, movies.dat). */
export function readMovielens1mCtr(dir: string, options: Partial<MovielensCtrOptions> = {}): RawCtrData {
  const opts = parseConfig(MovielensCtrOptionsSchema, options, "movielens CTR options");
  const users = new Interner();
  const items = new Interner();
  const recbole = opts.protocol === "recbole";
  const ratings = lines(join(dir, "ratings.tsv"))
    .slice(1)
    .filter((line) => !recbole || line.split("\t")[2] !== "3");
  const n = ratings.length;
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const click = new Uint8Array(n);
  ratings.forEach((line, r) => {
    const [u, m, rating] = line.split("\t");
    user[r] = users.id(u);
    item[r] = items.id(m);
    click[r] = Number(rating) >= opts.threshold ? 1 : 0;
  });
  const split = randomSplit(n, opts.seed);

  const profile = new Map(lines(join(dir, "users.dat")).map((l) => [l.split("::")[0], l.split("::")]));
  const movies = new Map(lines(join(dir, "movies.dat")).map((l) => [l.split("::")[0], l.split("::")]));
  const userCol = (name: string, pick: (p: string[]) => string): RawColumn => ({
    name,
    kind: "categorical",
    key: "user",
    group: "user",
    values: users.keys.map((u) => {
      const p = profile.get(u);
      return p ? pick(p) : "";
    }),
  });
  const movie = (m: string) => movies.get(m) ?? [m, "", ""];
  const year = (title: string) => Number(/\((\d{4})\)\s*$/.exec(title)?.[1] ?? Number.NaN);

  const columns: RawColumn[] = [
    userCol("user_id", (p) => p[0]),
    userCol("gender", (p) => p[1]),
    userCol("age", (p) => p[2]),
    userCol("occupation", (p) => p[3]),
    ...(recbole ? [] : [userCol("zip", (p) => p[4].slice(0, opts.zipDigits))]),
    { name: "item_id", kind: "categorical", key: "item", group: "item", values: items.keys },
    {
      name: "genres",
      kind: "multi",
      key: "item",
      group: "item",
      maxLen: 6,
      values: items.keys.map((m) => movie(m)[2].split("|").filter(Boolean)),
    },
    {
      name: "year",
      kind: "numeric",
      key: "item",
      group: "item",
      transform: "buckets",
      values: Float64Array.from(items.keys, (m) => year(movie(m)[1])),
    },
  ];
  if (opts.historyLen > 0) {
    const [liked, disliked] = trainHistories(user, item, click, split, users.size, items.keys, opts.seed);
    const history = (name: string, values: string[][]): RawColumn => ({
      name,
      kind: "multi",
      key: "user",
      group: "sequence",
      maxLen: opts.historyLen,
      vocabOf: "item_id",
      excludeRowItem: true,
      values,
    });
    columns.push(history("liked", liked), history("disliked", disliked));
  }
  const data: RawCtrData = {
    name: recbole ? "movielens-1m-recbole" : "movielens-1m",
    user,
    item,
    nUsers: users.size,
    nItems: items.size,
    labels: { click },
    split,
    columns,
  };
  assertRawData(data);
  return data;
}

/**
 * Per user, the movies of their training rows with label 1 and with label 0, each in a seeded random order
 * (ML-1M has no time order to keep).
 */
function trainHistories(
  user: Int32Array,
  item: Int32Array,
  click: Uint8Array,
  split: Uint8Array,
  nUsers: number,
  itemKeys: string[],
  seed: number,
): [string[][], string[][]] {
  const liked: string[][] = Array.from({ length: nUsers }, () => []);
  const disliked: string[][] = Array.from({ length: nUsers }, () => []);
  for (let r = 0; r < user.length; r++) {
    if (split[r] !== TRAIN) continue;
    (click[r] ? liked : disliked)[user[r]].push(itemKeys[item[r]]);
  }
  const rng = new Rng(seed + 1);
  for (const list of [...liked, ...disliked]) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [list[i], list[j]] = [list[j], list[i]];
    }
  }
  return [liked, disliked];
}

/**
 * The same table as a prepare config over the movielens-1m folder `dir` (ratings.tsv, movies.dat, users.dat):
 * read, cleaned and quarantined by the DuckDB stage like any shop's log, built by build-ctr.ts.
 */
export function movielens1mCtrSpec(dir: string, options: Partial<MovielensCtrOptions> = {}): IngestSpecInput {
  const opts = parseConfig(MovielensCtrOptionsSchema, options, "movielens CTR options");
  const recbole = opts.protocol === "recbole";
  const user = (name: string, extra: Partial<CtrFeatureInput> = {}): CtrFeatureInput => ({
    name,
    of: "user",
    ...extra,
  });
  return {
    name: recbole ? "movielens-1m-recbole" : "movielens-1m",
    baseDir: dir,
    events: [{ path: "ratings.tsv", columns: { user: "user_id", item: "movie_id", label: "rating" } }],
    items: [
      {
        path: "movies.dat",
        columnNames: ["movie_id", "title", "genres"],
        columns: { item: "movie_id", title: "title", attributes: "genres" },
      },
    ],
    users: [
      {
        path: "users.dat",
        columnNames: ["user_id", "gender", "age", "occupation", "zip"],
        columns: { user: "user_id" },
      },
    ],
    cleaning: { burstWindowSeconds: 0, bots: { enabled: false } },
    ctr: {
      rows: "events",
      // recbole: ratings 1-2 negative, 4-5 positive, the rating-3 rows filtered (ctr.unlabelled).
      labels: { click: { positiveMin: opts.threshold, ...(recbole ? { negativeMax: 2 } : {}) } },
      split: { kind: "random", seed: opts.seed, ratios: [8, 1, 1] },
      features: [
        user("user_id", { from: "id" }),
        user("gender"),
        user("age"),
        user("occupation"),
        ...(recbole ? [] : [user("zip", { prefix: opts.zipDigits })]),
        { name: "item_id", of: "item", from: "id" },
        { name: "genres", of: "item", from: "attributes", kind: "multi", maxLen: 6 },
        {
          name: "year",
          of: "item",
          from: "title",
          pattern: "\\((\\d{4})\\)\\s*$",
          kind: "numeric",
          transform: "buckets",
        },
      ],
      history:
        opts.historyLen > 0
          ? [{ kind: "train-labels", names: ["liked", "disliked"], length: opts.historyLen }]
          : [],
    },
  };
}
