// Parameter values by name, shared by every graph a model builds (train step, evaluation, export), so the
// same layer code can be re-recorded into a new graph and still refer to the same trained weights.
import { SeqrankError } from "../util/errors.js";
import type { Graph, Tensor } from "./graph.js";
import { Rng } from "./init.js";

export interface ParamEntry {
  shape: number[];
  value: Float32Array;
}

export class ParamStore {
  readonly entries = new Map<string, ParamEntry>();
  readonly rng: Rng;
  constructor(seed = 42) {
    this.rng = new Rng(seed);
  }

  /** The graph tensor for parameter `name`, created with `init()` the first time it is asked for. */
  param(g: Graph, name: string, shape: number[], init: (size: number, rng: Rng) => Float32Array): Tensor {
    let e = this.entries.get(name);
    if (!e) {
      e = {
        shape,
        value: init(
          shape.reduce((a, b) => a * b, 1),
          this.rng,
        ),
      };
      this.entries.set(name, e);
    } else if (e.shape.join() !== shape.join()) {
      throw new SeqrankError(
        "SR_ERR_PARAM",
        `param ${name}: stored shape [${e.shape}] differs from [${shape}]`,
      );
    }
    const existing = g.params().find((p) => p.name === name);
    return existing ?? g.param(name, shape, e.value);
  }

  get(name: string): ParamEntry {
    const e = this.entries.get(name);
    if (!e) throw new SeqrankError("SR_ERR_PARAM", `no parameter named ${name}`);
    return e;
  }
}
