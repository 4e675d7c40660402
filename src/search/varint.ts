// LEB128 varints for saved postings: doc numbers are stored as gaps from the previous posting of the same term,
// which are mostly small, so most take one or two bytes instead of four.

export function encodeVarints(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 5);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    while (v >= 0x80) {
      out[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[at++] = v;
  }
  return out.slice(0, at);
}

export function decodeVarints(bytes: Uint8Array, count: number): Uint32Array {
  const out = new Uint32Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[at++];
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b >= 0x80);
    out[i] = v;
  }
  return out;
}
