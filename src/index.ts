// seqrank's public API, one namespace per stage (each stage's own barrel is also an export subpath).
export * as artifact from "./artifact/index.js";
export * as data from "./data/index.js";
export * as evaluation from "./eval/index.js";
export * as graph from "./graph/index.js";
export * as models from "./models/index.js";
export * as ranking from "./ranking.js";
export * as retrieval from "./retrieval/index.js";
export * as search from "./search/index.js";
export * as serve from "./serve/index.js";
export * as train from "./train/index.js";
