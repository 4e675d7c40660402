// What `seqrank start` shows of its background training: on a terminal one line, redrawn in place (epoch,
// step, loss, speed, the best valid NDCG@10 so far); elsewhere (a pipe, a log) one line per epoch. Then the
// results as a short table: the trained model against Pop on the test split.
import type { RunSummary, TrainMessage } from "./start-training.js";

export interface ProgressStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

const seconds = (s: number) => {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${s.toFixed(1)}s`;
};

export class TrainingProgress {
  private line = "";
  private best: { ndcg: number; epoch: number } | undefined;
  private readonly started = performance.now();

  constructor(
    private readonly out: ProgressStream,
    private readonly label: string,
  ) {}

  /** Updates the display from one of the child's messages. */
  update(m: TrainMessage): void {
    if (m.kind === "resume") this.print(`${this.label}: resuming from its checkpoint after epoch ${m.epoch}`);
    else if (m.kind === "step") {
      const steps = `epoch ${m.epoch} · step ${m.step}/${m.stepsPerEpoch} · loss ${m.loss.toFixed(4)} · ${Math.round(m.tokensPerSecond)} tok/s`;
      this.show(m.step === m.stepsPerEpoch ? `${steps} · validating` : steps);
    } else if (m.kind === "epoch") {
      const v = m.valid["NDCG@10"];
      if (v !== undefined && (this.best === undefined || v > this.best.ndcg))
        this.best = { ndcg: v, epoch: m.epoch };
      const valid = v === undefined ? "" : ` · valid NDCG@10 ${v.toFixed(4)}`;
      const text = `epoch ${m.epoch} done in ${m.seconds.toFixed(1)}s · loss ${m.loss.toFixed(4)}${valid}`;
      if (this.out.isTTY) this.show(text);
      else this.print(`${this.label}: ${text}`);
    } else if (m.kind === "phase") {
      if (this.out.isTTY) this.show(m.phase);
      else this.print(`${this.label}: ${m.phase}`);
    }
  }

  /** Writes a whole line, keeping the progress line below it on a terminal. */
  print(text: string): void {
    if (this.out.isTTY && this.line) this.out.write("\r\x1b[2K");
    this.out.write(`${text}\n`);
    if (this.out.isTTY && this.line) this.out.write(this.line);
  }

  /** Removes the progress line (before the results, or on failure). */
  clear(): void {
    if (this.out.isTTY && this.line) this.out.write("\r\x1b[2K");
    this.line = "";
  }

  private show(text: string): void {
    if (!this.out.isTTY) return;
    const elapsed = seconds((performance.now() - this.started) / 1000);
    const best = this.best
      ? ` (best valid NDCG@10 ${this.best.ndcg.toFixed(4)}, epoch ${this.best.epoch})`
      : "";
    const full = `${this.label} ${elapsed}: ${text}${best}`;
    const width = (this.out.columns ?? 100) - 1;
    this.line = full.length > width ? `${full.slice(0, width - 1)}…` : full;
    this.out.write(`\r\x1b[2K${this.line}`);
  }
}

const METRICS = ["NDCG@10", "HR@10"];

/** The results table: one row per model, test metrics at the best validation epoch. */
export function resultsTable(rows: { label: string; run: RunSummary }[]): string {
  const width = Math.max(5, ...rows.map((r) => r.label.length));
  const cell = (v: number | undefined) => (v === undefined ? "?" : v.toFixed(4)).padStart(8);
  const head = `  ${"model".padEnd(width)}${METRICS.map((m) => m.padStart(9)).join("")}`;
  const body = rows.map(
    (r) => `  ${r.label.padEnd(width)}${METRICS.map((m) => ` ${cell(r.run.test[m])}`).join("")}`,
  );
  return [head, ...body].join("\n");
}

/** "12 epochs (best 4) in 3m05s" */
export function trainedSummary(run: RunSummary): string {
  const epochs = run.epochsRun === undefined ? "" : `${run.epochsRun} epoch${run.epochsRun === 1 ? "" : "s"}`;
  const best = run.bestEpoch === null ? "" : ` (best ${run.bestEpoch})`;
  const took = run.seconds === undefined ? "" : ` in ${seconds(run.seconds)}`;
  return `${epochs}${best}${took}`.trim();
}
