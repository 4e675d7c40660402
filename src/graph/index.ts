// Public API of the compute engine.

export type { NamedTensor } from "./checkpoint.js";
export {
  assertTensorsFit,
  decodeSafetensors,
  encodeSafetensors,
  loadParamsInto,
  loadSafetensors,
  loadTrainState,
  saveSafetensors,
  saveTrainState,
} from "./checkpoint.js";
export { BuildContext } from "./context.js";
export { exportOnnx, exportWeights } from "./export.js";
export { grad } from "./grad.js";
export { type Dim, type DType, Graph, type Shape, Tensor } from "./graph.js";
export { normal, ones, Rng, zeros } from "./init.js";
export { lowerToOnnx } from "./lower-onnx.js";
export * as nn from "./nn.js";
export { PRIM_OPS, type PrimOp } from "./ops.js";
export { buildOptimizer, clipGlobalNorm, type OptimizerConfig, OptimizerConfigSchema } from "./optim.js";
export { ParamStore } from "./param-store.js";
export {
  createSession,
  type Feeds,
  Runner,
  type SessionOptions,
  type StepResult,
  TrainStep,
  tensor,
} from "./session.js";
export * as ops from "./tensor-ops.js";
