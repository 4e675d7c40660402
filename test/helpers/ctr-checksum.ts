// A sha256 over everything a CTR table hands the models: ids, labels, split and every column's settings and
// values, so a prepared table can be pinned to (and compared with) a known one in one string.
import { createHash } from "node:crypto";
import type { RawCtrData } from "../../src/data/ctr/ctr-data.js";

export function ctrChecksum(d: RawCtrData): string {
  const h = createHash("sha256");
  const bytes = (a: ArrayBufferView) => h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  h.update(JSON.stringify([d.name, d.nUsers, d.nItems, Object.keys(d.labels)]));
  for (const a of [d.user, d.item, d.split, ...Object.values(d.labels)]) bytes(a);
  for (const c of d.columns) {
    const { values, ...settings } = c;
    const set = Object.entries(settings).filter(([, v]) => v !== undefined);
    h.update(JSON.stringify(set.sort(([a], [b]) => a.localeCompare(b))));
    if (c.kind === "numeric" || c.kind === "vector") bytes(c.values);
    else if (c.kind === "categorical") h.update(c.values.join("\u0000"));
    else h.update(c.values.map((list) => list.join("\u0000")).join("\u0001"));
  }
  return h.digest("hex");
}
