import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { exportServingModel, loadServingModel } from "../../src/artifact/index.js";
import { datasetInteractions, writeInteractions } from "../../src/artifact/interactions.js";
import { loadDataset } from "../../src/data/index.js";
import { BuildContext } from "../../src/graph/context.js";
import { Graph } from "../../src/graph/graph.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { sasrec } from "../../src/models/sasrec.js";
import { rehash } from "../faults/model-fixtures.js";
import { preparedDataset } from "../helpers/prepared.js";

// movielens-100k: timestamps and sessions, and every rating value an event type.
const dataDir = preparedDataset("movielens-100k");
const tempDir = () => mkdtempSync(join(tmpdir(), "seqrank-interactions-"));
const ds = loadDataset(dataDir);

async function exportWithInteractions(dir: string) {
  const model = sasrec.create(
    sasrec.configSchema.parse({ dim: 8, maxLen: 10, blocks: 1 }),
    { nItems: ds.nItems, maxSeqLen: 50 },
    new ParamStore(1),
  );
  model.buildScoreGraph(new BuildContext(new Graph(), model.store, false));
  await exportServingModel(model, dir, {
    version: "v1",
    itemsTsv: join(dataDir, "items.tsv"),
    eventTypes: ds.eventTypes,
    interactions: datasetInteractions(dataDir),
  });
}

test("a version ships its dataset's training interactions and event types, read back as written", async () => {
  const dir = tempDir();
  await exportWithInteractions(dir);
  const model = await loadServingModel(dir);
  const got = model.interactions!;
  let events = 0;
  for (let u = 1; u <= ds.nUsers; u++)
    for (let p = ds.offsets[u]; p < ds.offsets[u + 1]; p++) if (ds.trainType[ds.events[p]]) events++;
  assert.equal(got.items.length, events);
  assert.equal(got.offsets.length, ds.nUsers + 1);
  // User 7's events, in order, with their times and sessions.
  const mine = [];
  for (let p = ds.offsets[7]; p < ds.offsets[8]; p++)
    if (ds.trainType[ds.events[p]]) mine.push([ds.items[p], ds.ts[p], ds.sessions[p]]);
  const served = [];
  for (let e = got.offsets[6]; e < got.offsets[7]; e++)
    served.push([got.items[e], got.ts[e], got.sessions[e]]);
  assert.deepEqual(served, mine);
  assert.ok(mine.length > 0 && Number.isFinite(mine[0][1]), "the preset has timed events");
  assert.deepEqual(model.eventTypes, ds.eventTypes);
  await model.dispose?.();
});

test("interactions that do not fit the model are refused at load, naming the file and the event", async () => {
  const dir = tempDir();
  await exportWithInteractions(dir);
  const bad = datasetInteractions(dataDir);
  bad.items[5] = ds.nItems + 1;
  writeInteractions(dir, bad);
  rehash(dir); // checksums that match: the content check must catch it
  await assert.rejects(loadServingModel(dir), (err: Error & { code?: string }) => {
    assert.equal(err.code, "SR_ERR_MODEL_INVALID");
    assert.match(err.message, /interactions\.safetensors: event 5: item \d+ is not one of/);
    return true;
  });
});
