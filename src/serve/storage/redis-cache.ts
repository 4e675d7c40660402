// The cache in Redis (RedisStore), shared by replicas: <p>cache:<key> holds a value (PX ttl),
// <p>ucache:<user> the set of cache keys tagged with the user.
import type { Redis } from "ioredis";
import type { Cache } from "./cache.js";
import { execOrThrow, redisCall } from "./redis-exec.js";

export class RedisCache implements Cache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await redisCall(this.redis.get(this.cacheKey(key)))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number, userId?: string): Promise<void> {
    const p = this.redis.multi().set(this.cacheKey(key), value, "PX", ttlMs);
    if (userId !== undefined) {
      // The tag set lives as long as its longest-lived entry (NX sets the first TTL, GT extends it).
      const tags = this.userCacheKey(userId);
      p.sadd(tags, key).pexpire(tags, ttlMs, "NX").pexpire(tags, ttlMs, "GT");
    }
    await execOrThrow(p.exec());
  }

  async dropUser(userId: string): Promise<number> {
    const tags = this.userCacheKey(userId);
    const keys = await redisCall(this.redis.smembers(tags));
    await redisCall(this.redis.del(tags, ...keys.map((k) => this.cacheKey(k))));
    return keys.length;
  }

  private cacheKey = (key: string) => `${this.prefix}cache:${key}`;
  private userCacheKey = (userId: string) => `${this.prefix}ucache:${userId}`;
}
