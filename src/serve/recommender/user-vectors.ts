// User vectors cached per user, keyed by the model version and the exact history they were encoded from:
// a stale entry can never be served (a new event changes the history, a swap changes the version), so
// replicas sharing one store stay correct; hooks only drop entries early to free memory.
import type { ServingModel } from "../model/index.js";

interface Entry {
  version: string;
  history: Int32Array;
  vector: Float32Array;
}

function sameHistory(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class UserVectorCache {
  private readonly entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity: number) {}

  async get(userId: string, history: Int32Array, model: ServingModel): Promise<Float32Array> {
    const e = this.entries.get(userId);
    if (e && e.version === model.version && sameHistory(e.history, history)) {
      this.hits++;
      this.entries.delete(userId); // re-insert: Map order is the LRU order
      this.entries.set(userId, e);
      return e.vector;
    }
    this.misses++;
    const vector = await model.encodeUser(history);
    this.entries.delete(userId);
    this.entries.set(userId, { version: model.version, history: history.slice(), vector });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return vector;
  }

  delete(userId: string): void {
    this.entries.delete(userId);
  }

  clear(): void {
    this.entries.clear();
  }
}
