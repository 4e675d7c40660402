// Tiny inline-SVG charts for the self-contained HTML reports (no scripts, no external assets).

export interface LineSeries {
  name: string;
  points: readonly (readonly [number, number])[];
}

export interface BarSeries {
  name: string;
  values: readonly number[];
}

const WIDTH = 560;
const HEIGHT = 300;
const MARGIN = { left: 64, right: 16, top: 36, bottom: 48 };
const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatTick(v: number): string {
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs >= 1000 || abs < 0.001) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

/** Rounded tick values covering [min, max]; whole numbers only when `integer` (epochs). */
function ticks(min: number, max: number, integer = false, count = 5): number[] {
  if (!(max > min)) return [min];
  const rough = Math.max((max - min) / count, integer ? 1 : 0);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? rough;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

function frame(title: string, xLabel: string, yLabel: string, body: string, legend: string[]): string {
  const legendItems = legend
    .map((name, i) => {
      const x = MARGIN.left + i * 140;
      return `<rect x="${x}" y="${HEIGHT - 14}" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/><text x="${x + 14}" y="${HEIGHT - 5}" font-size="11">${escapeHtml(name)}</text>`;
    })
    .join("");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeHtml(title)}</text>`,
    `<text x="${WIDTH / 2}" y="${HEIGHT - 22}" text-anchor="middle" font-size="11">${escapeHtml(xLabel)}</text>`,
    `<text x="14" y="${HEIGHT / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 14 ${HEIGHT / 2})">${escapeHtml(yLabel)}</text>`,
    body,
    legendItems,
    "</svg>",
  ].join("");
}

function yAxis(min: number, max: number, toY: (v: number) => number): string {
  return ticks(min, max)
    .map((v) => {
      const y = toY(v).toFixed(1);
      return `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/><text x="${MARGIN.left - 6}" y="${y}" dy="4" text-anchor="end" font-size="10">${formatTick(v)}</text>`;
    })
    .join("");
}

export function lineChart(opts: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
}): string {
  const points = opts.series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (points.length === 0) return frame(opts.title, opts.xLabel, opts.yLabel, noData(), []);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  let [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  if (yMin === yMax) [yMin, yMax] = [yMin - 1e-3 - Math.abs(yMin) * 0.1, yMax + 1e-3 + Math.abs(yMax) * 0.1];
  const toX = (x: number) =>
    MARGIN.left + (xMax > xMin ? ((x - xMin) / (xMax - xMin)) * (WIDTH - MARGIN.left - MARGIN.right) : 0);
  const toY = (y: number) =>
    HEIGHT - MARGIN.bottom - ((y - yMin) / (yMax - yMin)) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const xTicks = ticks(xMin, xMax, xs.every(Number.isInteger))
    .map(
      (v) =>
        `<text x="${toX(v).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 14}" text-anchor="middle" font-size="10">${formatTick(v)}</text>`,
    )
    .join("");
  const lines = opts.series
    .map((s, i) => {
      const colour = COLOURS[i % COLOURS.length];
      const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
      const path = pts.map(([x, y]) => `${toX(x).toFixed(1)},${toY(y).toFixed(1)}`).join(" ");
      const dots = pts
        .map(
          ([x, y]) =>
            `<circle cx="${toX(x).toFixed(1)}" cy="${toY(y).toFixed(1)}" r="2.5" fill="${colour}"/>`,
        )
        .join("");
      return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${path}"/>${dots}`;
    })
    .join("");
  return frame(
    opts.title,
    opts.xLabel,
    opts.yLabel,
    yAxis(yMin, yMax, toY) + xTicks + lines,
    opts.series.map((s) => s.name),
  );
}

/** Grouped vertical bars: one group per category, one bar per series. */
export function barChart(opts: {
  title: string;
  xLabel: string;
  yLabel: string;
  categories: readonly string[];
  series: BarSeries[];
}): string {
  const values = opts.series.flatMap((s) => s.values).filter(Number.isFinite);
  if (values.length === 0 || opts.categories.length === 0) {
    return frame(opts.title, opts.xLabel, opts.yLabel, noData(), []);
  }
  const yMax = Math.max(...values, 0) || 1;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const groupWidth = plotWidth / opts.categories.length;
  const barWidth = (groupWidth * 0.8) / opts.series.length;
  const toY = (y: number) => HEIGHT - MARGIN.bottom - (y / yMax) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const bars = opts.series
    .map((s, si) =>
      s.values
        .map((v, ci) => {
          if (!Number.isFinite(v)) return "";
          const x = MARGIN.left + ci * groupWidth + groupWidth * 0.1 + si * barWidth;
          const y = toY(v);
          return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(toY(0) - y).toFixed(1)}" fill="${COLOURS[si % COLOURS.length]}"><title>${escapeHtml(`${s.name} · ${opts.categories[ci]}: ${formatTick(v)}`)}</title></rect>`;
        })
        .join(""),
    )
    .join("");
  const labels = opts.categories
    .map((c, ci) => {
      const x = MARGIN.left + (ci + 0.5) * groupWidth;
      return `<text x="${x.toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 14}" text-anchor="middle" font-size="10">${escapeHtml(c)}</text>`;
    })
    .join("");
  return frame(
    opts.title,
    opts.xLabel,
    opts.yLabel,
    yAxis(0, yMax, toY) + bars + labels,
    opts.series.map((s) => s.name),
  );
}

function noData(): string {
  return `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle" font-size="12" fill="#888">no data</text>`;
}
