// Side-by-side comparison of saved runs (their results.json), as a table, plain text and an HTML page.
import { higherIsBetter } from "../metrics.js";
import { formatMetric, page } from "./run-report.js";
import { type RunResult, readRunResult } from "./run-result.js";
import { barChart, escapeHtml } from "./svg.js";

export interface ComparisonRow {
  metric: string;
  /** One value per run, in run order; null when that run lacks the metric. */
  values: (number | null)[];
  /** Index of the best run for this metric (direction-aware); null when fewer than two runs have it. */
  best: number | null;
}

export interface ComparisonTable {
  split: "valid" | "test";
  runs: {
    dir: string;
    name: string;
    model: string;
    dataset: string;
    maskSeen: boolean;
    bestEpoch: number | null;
  }[];
  rows: ComparisonRow[];
  /** Reasons the runs may not be comparable (different datasets, masking on in some and off in others). */
  warnings: string[];
}

export function compareRuns(dirs: readonly string[], split: "valid" | "test" = "test"): ComparisonTable {
  const runs = dirs.map((dir) => ({ dir, result: readRunResult(dir) }));
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.result[split])))];
  const rows = names.map((metric) => {
    const values = runs.map((r) => r.result[split][metric] ?? null);
    return { metric, values, best: bestIndex(values, higherIsBetter(metric)) };
  });
  return {
    split,
    runs: runs.map(({ dir, result }) => ({
      dir,
      name: result.name,
      model: result.model,
      dataset: result.dataset,
      maskSeen: result.maskSeen,
      bestEpoch: result.bestEpoch,
    })),
    rows,
    warnings: comparabilityWarnings(runs.map((r) => r.result)),
  };
}

function bestIndex(values: (number | null)[], higher: boolean): number | null {
  let best: number | null = null;
  let present = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) continue;
    present++;
    const current = best === null ? null : values[best];
    if (current === null || (higher ? v > current : v < current)) best = i;
  }
  return present >= 2 ? best : null;
}

function comparabilityWarnings(runs: RunResult[]): string[] {
  const warnings: string[] = [];
  const datasets = [...new Set(runs.map((r) => r.dataset))];
  if (datasets.length > 1) warnings.push(`runs use different datasets: ${datasets.join(", ")}`);
  const masking = new Set(runs.map((r) => r.maskSeen));
  if (masking.size > 1) warnings.push("seen-item masking differs between runs");
  return warnings;
}

/** Fixed-width text table, best value per row marked with *. */
export function formatComparison(table: ComparisonTable): string {
  const header = [`${table.split} metric`, ...table.runs.map((r) => r.name)];
  const body = table.rows.map((row) => [
    row.metric,
    ...row.values.map((v, i) => `${formatMetric(v ?? undefined)}${row.best === i ? "*" : " "}`),
  ]);
  const widths = header.map((_, c) => Math.max(...[header, ...body].map((line) => line[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  return [line(header), ...body.map(line), ...table.warnings.map((w) => `warning: ${w}`)].join("\n");
}

export function renderComparisonHtml(table: ComparisonTable): string {
  const head = table.runs
    .map(
      (r) =>
        `<th>${escapeHtml(r.name)}<br><span class="note">${escapeHtml(r.model)} · ${escapeHtml(r.dataset)}</span></th>`,
    )
    .join("");
  const rows = table.rows
    .map((row) => {
      const cells = row.values
        .map((v, i) => `<td${row.best === i ? ' class="best"' : ""}>${formatMetric(v ?? undefined)}</td>`)
        .join("");
      return `<tr><td>${escapeHtml(row.metric)}${higherIsBetter(row.metric) ? "" : " ↓"}</td>${cells}</tr>`;
    })
    .join("");
  const headline = ["NDCG@10", "HR@10"].filter((m) => table.rows.some((r) => r.metric === m));
  const chart = barChart({
    title: `${table.split} ${headline.join(" and ")}`,
    xLabel: "run",
    yLabel: "value",
    categories: table.runs.map((r) => r.name),
    series: headline.map((metric) => ({
      name: metric,
      values: table.rows.find((r) => r.metric === metric)!.values.map((v) => v ?? Number.NaN),
    })),
  });
  const body = [
    `<h1>Run comparison (${table.split})</h1>`,
    ...table.warnings.map((w) => `<p><b>warning:</b> ${escapeHtml(w)}</p>`),
    `<table><thead><tr><th>metric</th>${head}</tr></thead><tbody>${rows}</tbody></table>`,
    `<p class="note">Best value per metric highlighted; ↓ marks lower-is-better.</p>`,
    chart,
    `<ul>${table.runs.map((r) => `<li>${escapeHtml(r.name)}: ${escapeHtml(r.dir)} · masking ${r.maskSeen ? "on" : "off"} · best epoch ${r.bestEpoch ?? "–"}</li>`).join("")}</ul>`,
  ].join("\n");
  return page("seqrank run comparison", body);
}
