// Pop: every user gets the same ranking, by training popularity.
import type { EvalData, Scorer } from "../../eval/index.js";

export interface Pop {
  readonly name: "Pop";
  /** Score of each item id (index 0 unused). */
  readonly scores: Float32Array;
  scorerFor(data: EvalData): Scorer;
}

export function createPop(trainPopularity: ArrayLike<number>): Pop {
  const scores = Float32Array.from(trainPopularity);
  return {
    name: "Pop",
    scores,
    scorerFor: () => (rows, out) => {
      for (let i = 0; i < rows.length; i++) out.set(scores, i * scores.length);
    },
  };
}
