// A small Prometheus registry (text exposition format 0.0.4): counters and histograms with labels, and
// gauges read at scrape time. Enough for the service; no dependency.
import { SeqrankError } from "../util/errors.js";

export type Labels = Record<string, string>;
export type GaugeCollect = () => Promise<Array<[Labels, number]>> | Array<[Labels, number]>;

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

const formatValue = (v: number) =>
  Number.isNaN(v) ? "NaN" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : String(v);

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

interface Metric {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  lines(): Promise<string[]> | string[];
}

export class Counter implements Metric {
  readonly type = "counter";
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    this.series(labels).inc(by);
  }

  /** One labelled series, for a hot path that would otherwise format the same labels on every call. */
  series(labels: Labels): { inc(by?: number): void } {
    const key = labelText(labels);
    let entry = this.values.get(key);
    if (!entry) {
      entry = { labels, value: 0 };
      this.values.set(key, entry);
    }
    const e = entry;
    return {
      inc: (by = 1) => {
        e.value += by;
      },
    };
  }

  lines(): string[] {
    return [...this.values.values()].map((e) => `${this.name}${labelText(e.labels)} ${formatValue(e.value)}`);
  }
}

export class Histogram implements Metric {
  readonly type = "histogram";
  private readonly byLabels = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: number[],
  ) {}

  observe(labels: Labels, value: number): void {
    this.series(labels).observe(value);
  }

  /** One labelled series, for a hot path that would otherwise format the same labels on every call. */
  series(labels: Labels): { observe(value: number): void } {
    const key = labelText(labels);
    let entry = this.byLabels.get(key);
    if (!entry) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.byLabels.set(key, entry);
    }
    const s = entry;
    return {
      observe: (value) => {
        for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) s.counts[i]++;
        s.sum += value;
        s.count++;
      },
    };
  }

  lines(): string[] {
    const out: string[] = [];
    for (const s of this.byLabels.values()) {
      this.buckets.forEach((le, i) => {
        out.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(le) })} ${s.counts[i]}`);
      });
      out.push(`${this.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${formatValue(s.sum)}`);
      out.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return out;
  }
}

/** A gauge whose samples are collected when scraped (e.g. store sizes). */
export class Gauge implements Metric {
  readonly type = "gauge";

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: GaugeCollect,
  ) {}

  async lines(): Promise<string[]> {
    return (await this.collect()).map(([l, v]) => `${this.name}${labelText(l)} ${formatValue(v)}`);
  }
}

export const LATENCY_BUCKETS_S = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  histogram(name: string, help: string, buckets = LATENCY_BUCKETS_S): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }

  gauge(name: string, help: string, collect: GaugeCollect): Gauge {
    return this.add(new Gauge(name, help, collect));
  }

  /** The whole registry in Prometheus text format. A failing gauge is skipped, not fatal to the scrape. */
  async expose(): Promise<string> {
    const out: string[] = [];
    for (const m of this.metrics.values()) {
      let lines: string[];
      try {
        lines = await m.lines();
      } catch {
        continue;
      }
      out.push(`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`, ...lines);
    }
    return `${out.join("\n")}\n`;
  }

  private add<M extends Metric>(metric: M): M {
    if (!NAME.test(metric.name))
      throw new SeqrankError("SR_ERR_METRIC", `invalid metric name "${metric.name}"`);
    if (this.metrics.has(metric.name))
      throw new SeqrankError("SR_ERR_METRIC", `metric "${metric.name}" is already registered`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}
