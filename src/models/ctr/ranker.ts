// The interface the CTR trainer knows: a ranker records one logit per task for a batch of slot inputs.
// Pointwise rankers are trained with binary cross-entropy per task; a ranker with `pairwise` (the hybrid MF
// with BPR or WARP) also scores sampled negative items and supplies its own loss.
import type { FieldGroup } from "../../data/ctr/ctr-data.js";
import type { FieldSlots, SlotLayout } from "../../data/ctr/slots.js";
import type { BuildContext } from "../../graph/context.js";
import type { Tensor } from "../../graph/graph.js";
import type { ParamStore } from "../../graph/param-store.js";
import { SeqrankError } from "../../util/errors.js";
import type { FusionPart } from "./fusion.js";
import { type CtrInputs, flatten, type SlotEmbeddings } from "./layers.js";

export interface RankerData {
  layout: SlotLayout;
  /** Label names the ranker predicts. */
  tasks: string[];
  /** Items negatives are drawn from (pairwise losses). */
  nItems: number;
  /** Log-odds of each task's positive rate in the training rows (the output bias starts there; default 0). */
  priors?: Record<string, number>;
}

export interface PairwiseLoss {
  /** Negative items sampled per row. */
  negatives: number;
  /** pos [B], neg [B, K] logits, label [B] (only positive rows count). */
  loss(pos: Tensor, neg: Tensor, label: Tensor): Tensor;
}

export interface CtrRanker {
  readonly name: string;
  readonly tasks: string[];
  readonly store: ParamStore;
  /** Logits [B] per task. Called again on the negatives' inputs in the same graph (shared parameters). */
  logits(ctx: BuildContext, inp: CtrInputs): Record<string, Tensor>;
  readonly pairwise?: PairwiseLoss;
}

export interface CtrModelFactory<C> {
  name: string;
  configSchema: { parse(input: unknown): C };
  /** Whether the ranker predicts several tasks at once (multi-task bottoms). */
  multiTask: boolean;
  create(config: C, data: RankerData, store: ParamStore): CtrRanker;
}

export function singleTask(model: string, tasks: string[]): string {
  if (tasks.length !== 1) {
    throw new SeqrankError(
      "SR_ERR_CTR_TASKS",
      `${model} predicts one task; got ${tasks.join(", ")} (use mmoe)`,
    );
  }
  return tasks[0];
}

export const GROUPS: FieldGroup[] = ["sequence", "user", "item", "context"];

export function fieldsOf(layout: SlotLayout, group: FieldGroup): FieldSlots[] {
  return layout.fields.filter((f) => f.group === group);
}

/** One flattened vector of field embeddings per group that has fields (skipping `skip`). */
export function groupParts(
  layout: SlotLayout,
  slotEmb: SlotEmbeddings,
  skip: (f: FieldSlots) => boolean = () => false,
): FusionPart[] {
  const parts: FusionPart[] = [];
  for (const group of GROUPS) {
    const fields = fieldsOf(layout, group).filter((f) => !skip(f));
    if (fields.length) parts.push({ name: group, vector: flatten(slotEmb.pooled(fields)) });
  }
  return parts;
}
