// What layer code needs while recording a graph: the graph, the parameter store, train/eval mode and the
// dropout seed (a run-time input, so every step draws new masks without a rebuild).
import type { Graph, Tensor } from "./graph.js";
import type { Rng } from "./init.js";
import type { ParamStore } from "./param-store.js";

export class BuildContext {
  private salt = 0;
  private seedInput?: Tensor;
  constructor(
    readonly g: Graph,
    readonly store: ParamStore,
    readonly training: boolean,
  ) {}

  param(name: string, shape: number[], init: (size: number, rng: Rng) => Float32Array): Tensor {
    return this.store.param(this.g, name, shape, init);
  }

  /** The int64 scalar input "seed"; created on first use. */
  get seed(): Tensor {
    this.seedInput ??= this.g.input("seed", "int64", []);
    return this.seedInput;
  }

  /** A distinct stream id for each random site in the graph. */
  nextSalt(): number {
    return ++this.salt;
  }
}
