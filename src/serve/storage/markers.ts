// One-time markers (e.g. "sequences seeded"), kept in the SQLite file beside the durable sequences.

export interface Markers {
  has(name: string): Promise<boolean>;
  set(name: string): Promise<void>;
}
