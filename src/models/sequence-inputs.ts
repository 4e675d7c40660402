// Inputs every sequence encoder reads, and the JS side that fills them from left-padded item sequences.
// Batches are trimmed to their longest sequence; position ids keep counting back from the newest item, so
// trimming never changes what the model sees.
import type { Graph, Tensor } from "../graph/graph.js";
import { type Feeds, tensor } from "../graph/session.js";

export interface SequenceInputs {
  /** [B, L] item ids, left-padded with 0. */
  items: Tensor;
  /** [L] position ids of the trimmed window (maxLen − L … maxLen − 1). */
  positions: Tensor;
  /** [B, 1, L, L] additive attention mask: 0 = may attend, −1e9 = may not (padding, and the future if causal). */
  attnBias: Tensor;
}

/** `prefix` names a second (third, …) set of inputs, for graphs that encode several streams at once. */
export function sequenceInputs(g: Graph, causal: boolean, prefix = ""): SequenceInputs {
  const [batch, seq] = [`${prefix}batch`, `${prefix}seq`];
  const padBias = g.input(`${prefix}pad_bias`, g.floatType, [batch, 1, 1, seq]);
  const items = g.input(`${prefix}items`, "int64", [batch, seq]);
  const positions = g.input(`${prefix}positions`, "int64", [seq]);
  if (!causal) return { items, positions, attnBias: padBias };
  const future = g.input(`${prefix}causal_bias`, g.floatType, [seq, seq]);
  return { items, positions, attnBias: g.apply("Add", [padBias, future])[0] };
}

const NEG = -1e9;
const causalCache = new Map<number, Float32Array>();
function causalBias(len: number): Float32Array {
  let m = causalCache.get(len);
  if (!m) {
    m = new Float32Array(len * len);
    for (let q = 0; q < len; q++) for (let k = q + 1; k < len; k++) m[q * len + k] = NEG;
    causalCache.set(len, m);
  }
  return m;
}

/**
 * Feeds for a batch of sequences, each cut to its last `maxLen` items and left-padded to the batch's longest
 * (to maxLen itself when `fullWidth`: graphs unrolled over a fixed window). Returns the feeds and the length.
 */
export function sequenceFeeds(
  seqs: readonly ArrayLike<number>[],
  maxLen: number,
  causal: boolean,
  prefix = "",
  fullWidth = false,
): { feeds: Feeds; len: number } {
  let len = fullWidth ? maxLen : 1;
  for (const s of seqs) len = Math.max(len, Math.min(s.length, maxLen));
  const b = seqs.length;
  const items = new BigInt64Array(b * len);
  const pad = new Float32Array(b * len);
  for (let r = 0; r < b; r++) {
    const s = seqs[r];
    const n = Math.min(s.length, len);
    const start = len - n;
    for (let j = 0; j < start; j++) pad[r * len + j] = NEG;
    for (let j = 0; j < n; j++) items[r * len + start + j] = BigInt(s[s.length - n + j]);
  }
  const positions = BigInt64Array.from({ length: len }, (_, i) => BigInt(maxLen - len + i));
  const feeds: Feeds = {
    [`${prefix}items`]: tensor(items, [b, len]),
    [`${prefix}positions`]: tensor(positions, [len]),
    [`${prefix}pad_bias`]: tensor(pad, [b, 1, 1, len]),
  };
  if (causal) feeds[`${prefix}causal_bias`] = tensor(causalBias(len), [len, len]);
  return { feeds, len };
}

/** `last_at` [B]: the flat position (b·L + L − 1) of each row's newest item, where its user vector is read. */
export function lastPositionFeeds(batch: number, len: number): Feeds {
  return {
    last_at: tensor(
      BigInt64Array.from({ length: batch }, (_, b) => BigInt(b * len + len - 1)),
      [batch],
    ),
  };
}
