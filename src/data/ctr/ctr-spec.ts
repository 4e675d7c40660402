// The `ctr` section of a prepare config: how the cleaned events become a CTR table (one row per event or per
// user-item pair), which rule labels each row, how the rows are split, and which user, item, row and history
// fields the table carries. `seqrank prepare --config` reads it beside the column mapping (source.ts); the
// built-in CTR protocols are instances of it (presets.ts in this folder). docs/ranking.md shows it whole.
import { z } from "zod";

/**
 * A label: a number rule on the events' mapped `label` column (`positiveMin`, optionally `negativeMax`), or a
 * value rule on the label column or the event type (`positive`, optionally `negative`). Without the negative
 * part every row that is not positive is a negative; with it, a row that is neither is filtered
 * (`ctr.unlabelled`, e.g. the rating-3 rows of RecBole's MovieLens protocol).
 */
export const LabelRuleSchema = z
  .strictObject({
    /** "label": the events' `label` column (columns.label); "event": the event type. */
    from: z.enum(["label", "event"]).default("label"),
    /** Number rule: a label ≥ this is positive (the label must be a number; other rows are quarantined). */
    positiveMin: z.number().optional(),
    /** Number rule: a label ≤ this is negative; labels between the two are filtered. */
    negativeMax: z.number().optional(),
    /** Value rule: these values are positive. */
    positive: z.array(z.string().min(1)).min(1).optional(),
    /** Value rule: these values are negative; other values are filtered. */
    negative: z.array(z.string().min(1)).min(1).optional(),
  })
  .superRefine((r, ctx) => {
    const numeric = r.positiveMin !== undefined;
    const values = r.positive !== undefined;
    if (numeric === values)
      ctx.addIssue({
        code: "custom",
        message: "give either positiveMin (a number rule) or positive (values)",
      });
    if (!numeric && r.negativeMax !== undefined)
      ctx.addIssue({ code: "custom", path: ["negativeMax"], message: "negativeMax needs positiveMin" });
    if (!values && r.negative !== undefined)
      ctx.addIssue({ code: "custom", path: ["negative"], message: "negative needs positive" });
    if (numeric && r.from === "event")
      ctx.addIssue({ code: "custom", path: ["from"], message: "a number rule reads the label column" });
    if (numeric && r.negativeMax !== undefined && r.negativeMax >= r.positiveMin!)
      ctx.addIssue({
        code: "custom",
        path: ["negativeMax"],
        message: "negativeMax must be below positiveMin",
      });
  });
export type LabelRule = z.infer<typeof LabelRuleSchema>;

export const CtrSplitSchema = z.discriminatedUnion("kind", [
  /** Rows shuffled with the seed and cut in these proportions (train, valid, test). */
  z.strictObject({
    kind: z.literal("random"),
    seed: z.number().int().default(2024),
    ratios: z.tuple([z.number().positive(), z.number().min(0), z.number().min(0)]).default([8, 1, 1]),
  }),
  /** By the row's time: train before the valid cut, valid before the test cut, test after (quantiles of the
   *  rows' timestamps; every row needs one). */
  z.strictObject({
    kind: z.literal("time"),
    validQuantile: z.number().gt(0).lt(1).default(0.8),
    testQuantile: z.number().gt(0).lt(1).default(0.9),
  }),
]);
export type CtrSplit = z.infer<typeof CtrSplitSchema>;

const NumericTransformSchema = z.enum(["raw", "log", "standardize", "log-standardize", "buckets"]);

/**
 * One field of the table. `of` says whose value it is: the user's (`id` or a column of the users file), the
 * item's (`id`, `title`, `category`, `brand`, `price`, `attributes` or a `profile` column of the catalogue) or the
 * row's (`hour` and `weekday` of its time, `events_before`: how many of the user's events of the `events` types
 * came before it).
 */
export const CtrFeatureSchema = z
  .strictObject({
    name: z.string().min(1),
    of: z.enum(["user", "item", "row"]),
    /** The value it is made from (default: the name). */
    from: z.string().min(1).optional(),
    /** categorical (default; multi for `attributes`), multi (a list) or numeric. */
    kind: z.enum(["categorical", "multi", "numeric"]).optional(),
    /** Categorical: only the first n characters (a zip-code prefix). */
    prefix: z.number().int().positive().optional(),
    /** The first capture group of this regular expression (RE2) over the text (the year in a title). */
    pattern: z.string().min(1).optional(),
    /** Multi from a text value: the separator between its values (lists need none). */
    separator: z.string().min(1).optional(),
    /** Multi: the longest list fed to the model. */
    maxLen: z.number().int().positive().default(16),
    encoding: z.enum(["vocab", "hash"]).optional(),
    /** Vocabulary floor: values seen fewer times in training rows share the out-of-vocabulary id. */
    minCount: z.number().int().min(1).optional(),
    transform: NumericTransformSchema.optional(),
    /** `events_before`: the event types counted (default: all). */
    events: z.array(z.string().min(1)).min(1).optional(),
    /** The composite-vector part it feeds (default: user, item, or context for row fields). */
    group: z.enum(["user", "item", "context", "sequence"]).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.events && f.from !== "events_before" && f.name !== "events_before")
      ctx.addIssue({ code: "custom", path: ["events"], message: "events applies to events_before only" });
  });
export type CtrFeature = z.infer<typeof CtrFeatureSchema>;
export type CtrFeatureInput = z.input<typeof CtrFeatureSchema>;

/**
 * A sequence field. `before`: per row, the user's earlier events (chronological, file order breaking ties) of
 * the `events` types, newest first, at most `length`: their items (`field: "item"`) or the categories they were
 * logged with (`"category"`). `train-labels`: per user, the items of their training rows with a positive and
 * with a negative label (`label`, default the first task) as two fields `names`, in a seeded random order,
 * the row's own item left out at batch time (for logs without a usable time order).
 */
export const CtrHistorySchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("before"),
    name: z.string().min(1),
    field: z.enum(["item", "category"]).default("item"),
    events: z.array(z.string().min(1)).min(1).optional(),
    length: z.number().int().positive().default(30),
    /** The feature whose vocabulary it shares (default: the item `id` or item `category` feature). */
    vocabOf: z.string().min(1).optional(),
  }),
  z.strictObject({
    kind: z.literal("train-labels"),
    names: z.tuple([z.string().min(1), z.string().min(1)]).default(["liked", "disliked"]),
    label: z.string().min(1).optional(),
    length: z.number().int().positive().default(50),
    /** Shuffle seed (default: the random split's seed + 1). */
    seed: z.number().int().optional(),
  }),
]);
export type CtrHistory = z.infer<typeof CtrHistorySchema>;

export const CtrSpecSchema = z
  .strictObject({
    /** "events": one row per kept event; "pairs": one row per user-item pair at its first event, labelled
     *  positive when any of the pair's events is. */
    rows: z.enum(["events", "pairs"]).default("events"),
    /** Task name → label rule; the first is the default task of single-task rankers. */
    labels: z.record(z.string().min(1), LabelRuleSchema).refine((l) => Object.keys(l).length > 0, {
      message: "at least one label",
    }),
    split: CtrSplitSchema.default({ kind: "random" }),
    features: z.array(CtrFeatureSchema).min(1),
    history: z.array(CtrHistorySchema).default([]),
    /** Hours added to UTC for the `hour` and `weekday` row fields (Beijing: 8). */
    utcOffsetHours: z.number().min(-14).max(14).default(0),
  })
  .superRefine((spec, ctx) => {
    if (spec.rows !== "pairs") return;
    for (const [task, rule] of Object.entries(spec.labels)) {
      if (rule.negative || rule.negativeMax !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["labels", task],
          message: "a pair is positive when any of its events is, negative otherwise: no negative part",
        });
      }
    }
  });
export type CtrSpecInput = z.input<typeof CtrSpecSchema>;
export type CtrSpec = z.infer<typeof CtrSpecSchema>;

/** Whether some label reads the events' label column as a number (its rows must then carry one). */
export const numericLabel = (spec: CtrSpec | undefined) =>
  Object.values(spec?.labels ?? {}).some((r) => r.from === "label" && r.positiveMin !== undefined);

/** Whether some label reads the events' label column. */
export const readsLabelColumn = (spec: CtrSpec | undefined) =>
  Object.values(spec?.labels ?? {}).some((r) => r.from === "label");
