// Non-neural baselines; each exposes scorerFor(data), a Scorer for evaluateFullRanking.
export {
  fitItemKnn,
  type ItemKnn,
  type ItemKnnConfig,
  ItemKnnConfigSchema,
  itemKnnFromTables,
} from "./item-knn.js";
export { createPop, type Pop } from "./pop.js";
