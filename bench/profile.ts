// Sums an ONNX Runtime profile (Chrome trace JSON) by op type: milliseconds per op type, largest first.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** ORT names profiles `<prefix>_<timestamp>.json`; this finds the newest one. */
export function latestProfile(dir: string, prefix: string): string {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}_`) && f.endsWith(".json"))
    .map((f) => join(dir, f));
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

export function profileByOpType(traceFile: string): Record<string, number> {
  const events = JSON.parse(readFileSync(traceFile, "utf8")) as {
    cat: string;
    name: string;
    dur: number;
    args?: { op_name?: string };
  }[];
  const totals = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== "Node" || !e.name.endsWith("_kernel_time")) continue;
    const op = e.args?.op_name ?? "?";
    totals.set(op, (totals.get(op) ?? 0) + e.dur / 1000);
  }
  return Object.fromEntries([...totals].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, +v.toFixed(1)]));
}
