// In-process cache with TTLs, user tags and a size bound (oldest entry evicted first), for SqliteStore.
interface Entry {
  value: string;
  expiresAt: number;
  userId: string | undefined;
}

export class MemoryCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();

  constructor(private readonly capacity: number) {}

  get(key: string): string | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: string, ttlMs: number, userId?: string): void {
    if (this.capacity === 0) return;
    this.delete(key);
    while (this.entries.size >= this.capacity) this.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs, userId });
    if (userId !== undefined) {
      let keys = this.byUser.get(userId);
      if (!keys) {
        keys = new Set();
        this.byUser.set(userId, keys);
      }
      keys.add(key);
    }
  }

  dropUser(userId: string): number {
    const keys = this.byUser.get(userId);
    if (!keys) return 0;
    for (const k of keys) this.entries.delete(k);
    this.byUser.delete(userId);
    return keys.size;
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    if (e.userId !== undefined) {
      const keys = this.byUser.get(e.userId);
      keys?.delete(key);
      if (keys?.size === 0) this.byUser.delete(e.userId);
    }
  }
}
