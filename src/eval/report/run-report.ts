// One run's report: results.json plus a self-contained HTML page (inline SVG, no external assets).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { higherIsBetter } from "../metrics.js";
import {
  parseRunResult,
  REPORT_FILE,
  RESULTS_FILE,
  type RunResult,
  type RunResultInput,
} from "./run-result.js";
import { barChart, escapeHtml, lineChart } from "./svg.js";

export const SELECTION_METRIC = "NDCG@10";

export const PAGE_STYLE = `body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}.best{font-weight:bold;background:#eef6ee}
.charts{display:flex;flex-wrap:wrap;gap:16px}.note{color:#666;font-size:13px}pre{background:#f6f6f6;padding:8px}`;

export function formatMetric(v: number | undefined): string {
  return v === undefined ? "–" : v.toFixed(4);
}

export function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head><body>${body}</body></html>\n`;
}

export function renderRunHtml(run: RunResult): string {
  const names = [...new Set([...Object.keys(run.valid), ...Object.keys(run.test)])];
  const rows = names
    .map(
      (n) =>
        `<tr><td>${escapeHtml(n)}${higherIsBetter(n) ? "" : " ↓"}</td><td>${formatMetric(run.valid[n])}</td><td>${formatMetric(run.test[n])}</td></tr>`,
    )
    .join("");
  const timings = Object.entries(run.timings)
    .map(([k, v]) => `${escapeHtml(k)} ${v.toFixed(1)} s`)
    .join(" · ");
  const epochs = run.history;
  const charts = [
    lineChart({
      title: "Training loss",
      xLabel: "epoch",
      yLabel: "loss",
      series: [{ name: "loss", points: epochs.map((e) => [e.epoch, e.loss] as const) }],
    }),
    lineChart({
      title: `Validation ${SELECTION_METRIC}`,
      xLabel: "epoch",
      yLabel: SELECTION_METRIC,
      series: [
        {
          name: `valid ${SELECTION_METRIC}`,
          points: epochs.map((e) => [e.epoch, e.valid[SELECTION_METRIC] ?? Number.NaN] as const),
        },
      ],
    }),
  ];
  if (run.popularityBias) {
    charts.push(
      barChart({
        title: "Popularity bias: recommendations vs training",
        xLabel: "item popularity decile (1 = most popular 10% of items)",
        yLabel: "share",
        categories: run.popularityBias.training.map((_, i) => String(i + 1)),
        series: [
          { name: "training interactions", values: run.popularityBias.training },
          { name: "top-k recommendations", values: run.popularityBias.recommended },
        ],
      }),
    );
  }
  const body = [
    `<h1>${escapeHtml(run.name)}</h1>`,
    `<p>model <b>${escapeHtml(run.model)}</b> · dataset <b>${escapeHtml(run.dataset)}</b> · seen items ${run.maskSeen ? "masked" : "<b>not masked</b>"} · best epoch ${run.bestEpoch ?? "–"} · ${escapeHtml(run.createdAt)}</p>`,
    timings ? `<p class="note">timings: ${timings}</p>` : "",
    `<table><thead><tr><th>metric</th><th>valid</th><th>test</th></tr></thead><tbody>${rows}</tbody></table>`,
    `<p class="note">Leave-one-out, full ranking over all items; ↓ marks lower-is-better.${epochs.length === 0 ? " No training history (untrained baseline)." : ""}</p>`,
    `<div class="charts">${charts.join("")}</div>`,
    `<h2>Config</h2><pre>${escapeHtml(JSON.stringify(run.config, null, 2))}</pre>`,
  ].join("\n");
  return page(`${run.name} · seqrank`, body);
}

/** Writes dir/results.json and dir/report.html (creating dir); returns the validated run and both paths. */
export function writeRunReport(
  dir: string,
  run: RunResultInput,
): { run: RunResult; resultsPath: string; htmlPath: string } {
  const parsed = parseRunResult(run, `run "${run.name}"`);
  mkdirSync(dir, { recursive: true });
  const resultsPath = join(dir, RESULTS_FILE);
  const htmlPath = join(dir, REPORT_FILE);
  writeFileSync(resultsPath, `${JSON.stringify(parsed, null, 2)}\n`);
  writeFileSync(htmlPath, renderRunHtml(parsed));
  return { run: parsed, resultsPath, htmlPath };
}
