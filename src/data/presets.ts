// Named ingest specs, one per folder of the shared datasets and named exactly like it. Each reproduces the
// dataset as published: its README's statistics hold after ingest + cleaning with these defaults, so
// curated (k-cored) sets are not filtered again and noise rules that would change them are off.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SeqrankError } from "../util/errors.js";
import type { IngestSpecInput, SourceInput } from "./source.js";

interface Preset {
  description: string;
  sources: Pick<IngestSpecInput, "events" | "items" | "users">;
  /** Allowed event types (others are quarantined). */
  eventTypes?: string[];
}

const RATINGS = ["1", "2", "3", "4", "5"];

/** `user item item …` lines, plus S3-Rec's `{item: [attribute ids]}` map. */
const s3rec = (dir: string, extra: { items?: SourceInput[]; users?: SourceInput[] } = {}) => ({
  events: [{ path: `${dir}/sequences.txt`, format: "sequences" as const }],
  items: extra.items ?? [
    { path: `${dir}/item2attributes.json`, columns: { item: "key", attributes: "value" } },
  ],
  users: extra.users ?? [],
});

/** SASRec-style `user item` pair lines. */
const pairs = (path: string): SourceInput => ({
  path,
  format: "csv",
  delimiter: " ",
  header: false,
  columnNames: ["user", "item"],
  columns: { user: "user", item: "item" },
});

const reviewers = (dir: string): SourceInput => ({
  path: `${dir}/users.tsv`,
  columns: { user: "user_id", profile: ["reviewer_id"] },
});

/** A file of a shared folder: under `dir`, or relative to the spec's baseDir when `dir` is "". */
const inFolder = (dir: string, file: string) => (dir ? `${dir}/${file}` : file);

/** MovieLens 1M's movies and users (the `::` files), shared by the sequence preset and the CTR protocol. */
export const movielens1mMovies = (dir: string): SourceInput => ({
  path: inFolder(dir, "movies.dat"),
  columnNames: ["movie_id", "title", "genres"],
  columns: { item: "movie_id", title: "title", attributes: "genres" },
});
export const movielens1mUsers = (dir: string): SourceInput => ({
  path: inFolder(dir, "users.dat"),
  columnNames: ["user_id", "gender", "age", "occupation", "zip"],
  columns: { user: "user_id" },
});

/** Taobao UserBehavior's headerless event file, shared by the sequence preset and the CTR protocol. */
export const taobaoEvents = (dir: string): SourceInput => ({
  path: inFolder(dir, "user_behavior.csv"),
  header: false,
  columnNames: ["user_id", "item_id", "category_id", "behavior_type", "timestamp"],
  columns: {
    user: "user_id",
    item: "item_id",
    event: "behavior_type",
    timestamp: "timestamp",
    category: "category_id",
  },
  timestampFormat: "unix",
});

export const PRESETS: Record<string, Preset> = {
  "amazon-beauty": {
    description: "Amazon Beauty 5-core (S3-Rec): sequences, English titles, attribute names, reviewer ids",
    sources: s3rec("amazon-beauty", {
      items: [
        {
          path: "amazon-beauty/items.jsonl",
          columns: { item: "item_id", title: "title", attributes: "attributes" },
        },
      ],
      users: [reviewers("amazon-beauty")],
    }),
  },
  "amazon-beauty-bert4rec": {
    description: "Amazon Beauty as preprocessed by BERT4Rec: user-item pairs, no side information",
    sources: { events: [pairs("amazon-beauty-bert4rec/interactions.txt")] },
  },
  "amazon-sports": {
    description: "Amazon Sports & Outdoors 5-core (S3-Rec): sequences, anonymous attribute ids, reviewer ids",
    sources: s3rec("amazon-sports", { users: [reviewers("amazon-sports")] }),
  },
  "amazon-toys": {
    description: "Amazon Toys & Games 5-core (S3-Rec): sequences, anonymous attribute ids",
    sources: s3rec("amazon-toys"),
  },
  "movielens-1m": {
    description: "MovieLens 1M ratings (event type = the rating, no timestamps), genres, user demographics",
    eventTypes: RATINGS,
    sources: {
      events: [
        { path: "movielens-1m/ratings.tsv", columns: { user: "user_id", item: "movie_id", event: "rating" } },
      ],
      items: [movielens1mMovies("movielens-1m")],
      users: [movielens1mUsers("movielens-1m")],
    },
  },
  "movielens-1m-sasrec-seq": {
    description:
      "MovieLens 1M, SASRec preprocessing: chronological user-item pairs (last two items withheld)",
    sources: { events: [pairs("movielens-1m-sasrec-seq/sequences.txt")] },
  },
  "movielens-100k": {
    description: "MovieLens 100K (RecBole atomic files): ratings with timestamps, genres, user demographics",
    eventTypes: RATINGS,
    sources: {
      events: [
        {
          path: "movielens-100k/ml-100k.inter",
          columns: {
            user: "user_id:token",
            item: "item_id:token",
            event: "rating:float",
            timestamp: "timestamp:float",
          },
          timestampFormat: "unix",
        },
      ],
      items: [
        {
          path: "movielens-100k/ml-100k.item",
          columns: { item: "item_id:token", title: "movie_title:token_seq", attributes: "class:token_seq" },
          listSeparator: " ",
        },
      ],
      users: [{ path: "movielens-100k/ml-100k.user", columns: { user: "user_id:token" } }],
    },
  },
  "taobao-userbehavior-sample": {
    description: "Taobao UserBehavior: pv/fav/cart/buy events with timestamps and leaf categories",
    eventTypes: ["pv", "fav", "cart", "buy"],
    sources: {
      events: [taobaoEvents("taobao-userbehavior-sample")],
    },
  },
  "taobao-product-titles-zh": {
    description: "Chinese Taobao product titles (catalog only, no events); entity spans as attributes",
    sources: {
      items: [
        {
          path: "taobao-product-titles-zh/titles.tsv",
          columns: {
            item: ["split", "idx"],
            title: "title",
            attributes: ["products_HCCX", "brands_HPPX", "models_XH"],
          },
        },
      ],
    },
  },
  "ctr-samples": {
    description: "DeepCTR's MovieLens CTR sample: rated movies with timestamps, genres and demographics",
    eventTypes: RATINGS,
    sources: {
      events: [
        {
          path: "ctr-samples/movielens_sample.txt",
          format: "csv",
          columns: {
            user: "user_id",
            item: "movie_id",
            event: "rating",
            timestamp: "timestamp",
            title: "title",
            attributes: "genres",
            profile: ["gender", "age", "occupation", "zip"],
          },
          timestampFormat: "unix",
        },
      ],
    },
  },
};

/** The ingest spec of a preset, reading from `datasetsDir` (default: defaultDatasetsDir()). */
export function presetSpec(name: string, datasetsDir = defaultDatasetsDir()): IngestSpecInput {
  const preset = PRESETS[name];
  if (!preset) {
    throw new SeqrankError(
      "SR_ERR_UNKNOWN_PRESET",
      `unknown preset "${name}"; presets: ${Object.keys(PRESETS).join(", ")} (or use --config <file.json>)`,
    );
  }
  return {
    name,
    baseDir: datasetsDir,
    ...preset.sources,
    cleaning: {
      eventTypes: preset.eventTypes,
      // As published: the curated sets are final, and the Taobao sample's repeated views are kept as is.
      burstWindowSeconds: 0,
      bots: { enabled: false },
    },
    build: { kCore: 0 },
  };
}

/** $SEQRANK_DATASETS, else `shared/datasets` beside the repository (or beside the working directory). */
export function defaultDatasetsDir(): string {
  if (process.env.SEQRANK_DATASETS) return resolve(process.env.SEQRANK_DATASETS);
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  const beside = join(dir, "..", "shared", "datasets");
  return existsSync(beside) ? beside : resolve("..", "shared", "datasets");
}
