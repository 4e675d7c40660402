import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadDataset } from "../../src/data/cache.js";
import { saveSafetensors } from "../../src/graph/checkpoint.js";
import { BuildContext } from "../../src/graph/context.js";
import { Graph } from "../../src/graph/graph.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { sasrec } from "../../src/models/sasrec.js";
import { continuationData, growFromCheckpoint, snapshotBefore } from "../../src/train/incremental.js";
import { modelDataOf, trainDataFrom } from "../../src/train/train-data.js";
import { preparedDataset } from "../helpers/prepared.js";

const beauty = loadDataset(preparedDataset("amazon-beauty"));
const taobao = loadDataset(preparedDataset("taobao-userbehavior-sample"));

test("a snapshot by file position keeps the first 90% of events: users and items are id prefixes, rows are prefixes", () => {
  const snap = snapshotBefore(beauty, { heldOut: 0.1, by: "position" });
  assert.equal(snap.nEvents, Math.floor(beauty.nEvents * 0.9));
  assert.ok(snap.nUsers < beauty.nUsers && snap.nItems < beauty.nItems);
  const seen = new Set(snap.items);
  assert.equal(seen.size, snap.nItems, "items 1..K all occur: new items are the id suffix");
  for (const u of [1, 100, snap.nUsers]) {
    const row = snap.items.subarray(snap.offsets[u], snap.offsets[u + 1]);
    assert.deepEqual(row, beauty.items.subarray(beauty.offsets[u], beauty.offsets[u] + row.length));
  }
  const data = trainDataFrom(snap);
  assert.equal(data.valid.targets.length, snap.nUsers, "leave-one-out over the kept rows");
});

test("a snapshot by time keeps exactly the events before the cut (taobao)", () => {
  const snap = snapshotBefore(taobao, { heldOut: 0.1, by: "time" });
  const cut = Math.max(...snap.ts);
  let before = 0;
  for (const t of taobao.ts) if (t <= cut) before++;
  assert.equal(snap.nEvents, before);
  assert.ok(Math.abs(snap.nEvents / taobao.nEvents - 0.9) < 0.01);
  assert.equal(new Set(snap.items).size, snap.nItems);
  assert.throws(() => snapshotBefore(beauty, { heldOut: 0.1, by: "time" }), { code: "SR_ERR_INCREMENTAL" });
});

test("growing a checkpoint keeps old rows, starts new item rows at zero, and rejects incompatible shapes", () => {
  const before = trainDataFrom(snapshotBefore(beauty, { heldOut: 0.1, by: "position" }));
  const after = trainDataFrom(beauty);
  const config = sasrec.configSchema.parse({ side: { attributes: true, title: true } });
  const oldStore = new ParamStore(1);
  const old = sasrec.create(config, modelDataOf(before), oldStore);
  old.buildTrainGraph(new BuildContext(new Graph(), oldStore, true));
  const dir = mkdtempSync(join(tmpdir(), "seqrank-grow-"));
  try {
    const path = join(dir, "best.safetensors");
    saveSafetensors(
      path,
      new Map([...oldStore.entries].map(([n, e]) => [n, { shape: e.shape, data: e.value }])),
    );
    const grown = sasrec.create(config, modelDataOf(after), new ParamStore(2));
    const report = growFromCheckpoint(grown, path, { zeroNewRows: ["item_emb"] });
    assert.deepEqual(report.grown, [{ name: "item_emb", from: before.nItems + 1, to: after.nItems + 1 }]);
    assert.deepEqual(report.fresh, []);
    assert.ok(report.copied.includes("title_token_emb") && report.copied.includes("block0.attn.q.weight"));
    const d = config.dim;
    const oldEmb = oldStore.get("item_emb").value;
    const newEmb = grown.store.get("item_emb").value;
    assert.deepEqual(newEmb.subarray(0, oldEmb.length), oldEmb);
    assert.ok(
      newEmb.subarray(oldEmb.length).every((x) => x === 0),
      "new items start from their towers",
    );
    assert.equal(newEmb.length, (after.nItems + 1) * d);

    const wider = sasrec.create(
      sasrec.configSchema.parse({ dim: 32 }),
      modelDataOf(after),
      new ParamStore(3),
    );
    assert.throws(() => growFromCheckpoint(wider, path), { code: "SR_ERR_INCREMENTAL" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("continuation data holds every changed sequence and replays a share of the unchanged ones", () => {
  const before = trainDataFrom(snapshotBefore(beauty, { heldOut: 0.1, by: "position" }));
  const after = trainDataFrom(beauty);
  const old = new Set(before.sequences.map((s) => s.join(",")));
  const changed = after.sequences.filter((s) => !old.has(s.join(",")));
  assert.ok(changed.length > 0.05 * after.sequences.length && changed.length < 0.2 * after.sequences.length);
  assert.deepEqual(continuationData(before, after, { replay: 0, seed: 1 }).sequences, changed);
  const withReplay = continuationData(before, after, { replay: 0.2, seed: 1 }).sequences;
  const replayed = withReplay.length - changed.length;
  const unchanged = after.sequences.length - changed.length;
  assert.ok(Math.abs(replayed / unchanged - 0.2) < 0.02, `${replayed} of ${unchanged} replayed`);
});
