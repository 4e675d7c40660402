// Learning-rate schedules, evaluated on the JS side each step (the rate is a graph input).
import { z } from "zod";

export const ScheduleSchema = z.strictObject({
  kind: z.enum(["constant", "linear", "cosine"]).default("constant"),
  /** Steps of linear warm-up from 0. */
  warmupSteps: z.number().int().min(0).default(0),
  /** Final rate as a fraction of the peak (linear and cosine decay). */
  minFactor: z.number().min(0).max(1).default(0),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

export function learningRate(s: Schedule, peak: number, step: number, totalSteps: number): number {
  if (step < s.warmupSteps) return (peak * (step + 1)) / s.warmupSteps;
  if (s.kind === "constant") return peak;
  const progress = Math.min(1, (step - s.warmupSteps) / Math.max(1, totalSteps - s.warmupSteps));
  const decay = s.kind === "linear" ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return peak * (s.minFactor + (1 - s.minFactor) * decay);
}
