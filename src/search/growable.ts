type NumericArray = Uint8Array | Uint16Array | Int32Array | Uint32Array | Float64Array;

/** Returns `arr` if it holds at least `minLength` elements, else a copy grown ×2 (filling new slots with `fill`). */
export function ensureLength<T extends NumericArray>(arr: T, minLength: number, fill = 0): T {
  if (arr.length >= minLength) return arr;
  const grown = new (arr.constructor as new (n: number) => T)(Math.max(minLength, arr.length * 2, 16));
  grown.set(arr);
  if (fill !== 0) grown.fill(fill, arr.length);
  return grown;
}
