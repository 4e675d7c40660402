// Opens the store (or takes an injected one), seeds it on first start, and exposes `app.store`, its
// readiness probe and its sizes as gauges.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { importCatalog, openStore, type Store, seedSequencesFromDataset } from "../storage/index.js";

export interface StorePluginOptions {
  /** A store opened by the caller (who then also closes it); otherwise one is opened from the config. */
  store?: Store;
}

async function storePlugin(app: FastifyInstance, opts: StorePluginOptions): Promise<void> {
  const config = app.serveConfig;
  const store = opts.store ?? (await openStore(config));
  if (!opts.store) app.addHook("onClose", () => store.close());
  app.decorate("store", store);

  if (config.dataDir) {
    const seeded = await seedSequencesFromDataset(store, config.dataDir);
    if (seeded > 0) app.log.info({ seeded }, "seeded user sequences from the prepared dataset");
  }
  if (config.catalogFile && (await store.stats()).items === 0) {
    const imported = await importCatalog(store, config.catalogFile);
    app.log.info({ imported }, "imported the catalogue");
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

export default fp(storePlugin, { name: "seqrank-store", fastify: "5.x", dependencies: ["seqrank-metrics"] });
