// Opens the store (or takes an injected one), seeds it on first start, and exposes `app.store` (with group
// commit: concurrent requests' events share one durable commit), its readiness probe and its sizes and
// commits as metrics.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { CATALOG_JSONL } from "../../data/catalog-file.js";
import { groupCommitStore } from "../storage/group-commit.js";
import { importCatalog, openStore, type Store, seedSequencesFromDataset } from "../storage/index.js";

export interface StorePluginOptions {
  /** A store opened by the caller (who then also closes it); otherwise one is opened from the config. */
  store?: Store;
}

async function storePlugin(app: FastifyInstance, opts: StorePluginOptions): Promise<void> {
  const config = app.serveConfig;
  const inner = opts.store ?? (await openStore(config));
  const grouped = withGroupCommit(app, inner, config.storage.commitBatchEvents);
  const store = grouped ?? inner;
  // Queued writes commit first (the wrapper's close waits for them); an injected store is its caller's to
  // close.
  app.addHook("onClose", async () => {
    if (!opts.store) await store.close();
    else await grouped?.flushed();
  });
  app.decorate("store", store);

  // The catalogue first: a bad catalogue file stops the start before anything is seeded. Without a file of
  // its own, the prepared dataset's catalogue (prepare's catalog.jsonl: raw ids and what the data said).
  const prepared = config.dataDir && join(config.dataDir, CATALOG_JSONL);
  const catalog = config.catalogFile ?? (prepared && existsSync(prepared) ? prepared : undefined);
  if (catalog && (await store.stats()).items === 0) {
    const columns = config.catalogFile ? config.catalogColumns : undefined;
    const imported = await importCatalog(store, catalog, columns);
    app.log.info({ imported, file: catalog }, "imported the catalogue");
  }
  if (config.dataDir) {
    const seeded = await seedSequencesFromDataset(store, config.dataDir);
    if (seeded > 0) app.log.info({ seeded }, "seeded user sequences from the prepared dataset");
  }

  app.readiness.probe("storage", () => ({ ready: store.isOpen(), detail: store.kind }));
  app.metrics.gauge(
    "seqrank_store_size",
    "Stored events, catalogue items and users with a sequence",
    async () => {
      const s = await store.stats();
      return [
        [{ kind: "events" }, s.events],
        [{ kind: "items" }, s.items],
        [{ kind: "users" }, s.users],
      ];
    },
  );
}

/** The store with group commit and its metrics; none for `maxBatchEvents` 1 (each request commits alone). */
function withGroupCommit(app: FastifyInstance, inner: Store, maxBatchEvents: number) {
  if (maxBatchEvents === 1) return undefined;
  const sizes = app.metrics.histogram(
    "seqrank_store_commit_items",
    "Items (events or interaction deltas) per durable commit, by log",
    COMMIT_SIZE_BUCKETS,
  );
  const writes = app.metrics.counter(
    "seqrank_store_commit_writes_total",
    "Writes (a request's events or deltas) committed, by log; over the histogram's count: writes per commit",
  );
  const durations = app.metrics.histogram(
    "seqrank_store_commit_duration_seconds",
    "Time of one durable commit (its fsync included), by log",
  );
  const seriesOf = (log: string) => ({
    size: sizes.series({ log }),
    writes: writes.series({ log }),
    duration: durations.series({ log }),
  });
  const series = { events: seriesOf("events"), deltas: seriesOf("deltas") };
  return groupCommitStore(inner, {
    maxBatchEvents,
    onCommit: (log, items, n, seconds) => {
      series[log].size.observe(items);
      series[log].writes.inc(n);
      series[log].duration.observe(seconds);
    },
  });
}

const COMMIT_SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

export default fp(storePlugin, { name: "seqrank-store", fastify: "5.x", dependencies: ["seqrank-metrics"] });
