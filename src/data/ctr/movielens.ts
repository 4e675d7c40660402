// MovieLens-1M as a CTR task, as a prepare config (read, cleaned and quarantined by the DuckDB stage like any
// shop's log; built by build-ctr.ts): rating ≥ threshold → 1, a seeded random 8:1:1 split of the ratings.
// Features: user id, gender, age, occupation, zip prefix (users.dat); movie id, genres, release year
// (movies.dat). Two protocols: "threshold" keeps every rating (3 is a negative); "recbole" is RecBole's
// ml-1m_context benchmark (the DCN-V2 AUC 0.8998 anchor): rating-3 rows are filtered before the split
// (1, 2 → 0; 4, 5 → 1; 739,012 rows) and the zip prefix is not a feature.
// ML-1M has no timestamps, so the "sequence" is the user's other training ratings as two multi-valued item
// fields, liked and disliked (built from training rows only; each row's own movie is left out at batch time).
import { z } from "zod";
import { parseConfig } from "../../util/config-issues.js";
import { movielens1mMovies, movielens1mUsers } from "../presets.js";
import type { IngestSpecInput } from "../source.js";
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

/** The prepare config over the movielens-1m folder `dir` (ratings.tsv, movies.dat, users.dat). */
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
    items: [movielens1mMovies("")],
    users: [movielens1mUsers("")],
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
