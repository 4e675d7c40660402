// The cache of prepared CTR tables (src/data/ctr/ctr-prepared-cache.ts) on a tiny config: a folder appears
// complete or not at all, loads of one config share a prepare, and two processes preparing it at once both
// end with the one complete folder.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { readCtrTable } from "../../../src/data/ctr/ctr-cache.js";
import { ctrCacheRoot, moveIntoPlace, preparedCtrDir } from "../../../src/data/ctr/ctr-prepared-cache.js";
import type { IngestSpecInput } from "../../../src/data/source.js";

const cacheModule = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../../src/data/ctr/ctr-prepared-cache.ts",
);

/** A 300-event log and its CTR config, with the cache ($SEQRANK_CACHE) in a fresh folder. */
function tinySpec(): { spec: IngestSpecInput; cache: string } {
  const dir = mkdtempSync(join(tmpdir(), "sr-ctr-cache-"));
  const lines = ["user,item,rating,ts"];
  for (let u = 0; u < 30; u++) {
    for (let i = 0; i < 10; i++)
      lines.push(`u${u},i${(u * 7 + i) % 40},${((u + i) % 5) + 1},${1e9 + u * 100 + i}`);
  }
  writeFileSync(join(dir, "events.csv"), `${lines.join("\n")}\n`);
  const cache = join(dir, "cache");
  process.env.SEQRANK_CACHE = cache;
  const spec: IngestSpecInput = {
    name: "tiny",
    baseDir: dir,
    events: [
      {
        path: "events.csv",
        timestampFormat: "unix",
        columns: { user: "user", item: "item", label: "rating", timestamp: "ts" },
      },
    ],
    cleaning: { burstWindowSeconds: 0, bots: { enabled: false } },
    ctr: {
      labels: { click: { positiveMin: 4 } },
      split: { kind: "random", seed: 1 },
      features: [
        { name: "user_id", of: "user", from: "id" },
        { name: "item_id", of: "item", from: "id" },
      ],
    },
  };
  return { spec, cache };
}

test("loads of one config in one process share one prepare; the folder is complete, nothing is left aside", async () => {
  const { spec } = tinySpec();
  const said: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => said.push(s) > 0) as typeof write;
  const [a, b] = await Promise.all([preparedCtrDir(spec), preparedCtrDir(spec)]).finally(() => {
    process.stderr.write = write;
  });
  assert.equal(a, b);
  assert.equal(said.filter((s) => s.startsWith("preparing the CTR table tiny")).length, 1, "prepared once");
  assert.deepEqual(readdirSync(ctrCacheRoot()), [a.split("/").at(-1)]);
  assert.equal(readCtrTable(a).data.user.length, 300);
  assert.deepEqual(JSON.parse(readFileSync(join(a, "prepare.json"), "utf8")), spec);
  assert.equal(await preparedCtrDir(spec), a, "cached");
});

test("a failed prepare leaves no folder and keeps its error code", async () => {
  const { spec } = tinySpec();
  const missing = { ...spec, events: [{ ...spec.events![0], path: "nowhere.csv" }] };
  await assert.rejects(preparedCtrDir(missing), (e: { code?: string }) => /^SR_ERR_/.test(e.code ?? ""));
  assert.deepEqual(readdirSync(ctrCacheRoot()), []);
});

test("a folder renamed into place never replaces one another process completed first", () => {
  const root = mkdtempSync(join(tmpdir(), "sr-ctr-move-"));
  const folder = (name: string, files: Record<string, string>) => {
    mkdirSync(join(root, name));
    for (const [f, text] of Object.entries(files)) writeFileSync(join(root, name, f), text);
    return join(root, name);
  };
  const dir = join(root, "t-key");
  assert.equal(moveIntoPlace(folder("first", { "ctr.json": "first", "ctr.bin": "1" }), dir), true);
  assert.equal(moveIntoPlace(folder("second", { "ctr.json": "second", "ctr.bin": "2" }), dir), false);
  assert.equal(readFileSync(join(dir, "ctr.json"), "utf8"), "first");
  assert.equal(readFileSync(join(dir, "ctr.bin"), "utf8"), "1");
  // A folder there without ctr.json is no table: that is an error, not a table to use.
  const odd = folder("odd", { "ctr.bin": "?" });
  assert.throws(() => moveIntoPlace(folder("third", { "ctr.json": "third" }), odd));
});

test("two processes preparing one config at once both get the one complete folder", async () => {
  const { spec, cache } = tinySpec();
  const script = `const { preparedCtrDir } = await import(${JSON.stringify(cacheModule)});
console.log(await preparedCtrDir(JSON.parse(process.argv[1])));`;
  const run = () =>
    new Promise<{ code: number | null; out: string; err: string }>((done) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", script, JSON.stringify(spec)],
        { env: { ...process.env, SEQRANK_CACHE: cache } },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        err += d;
      });
      child.on("close", (code) => done({ code, out: out.trim(), err }));
    });
  const [a, b] = await Promise.all([run(), run()]);
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err);
  assert.equal(a.out, b.out);
  assert.deepEqual(readdirSync(join(cache, "ctr")), [a.out.split("/").at(-1)]);
  assert.equal(readCtrTable(a.out).data.user.length, 300);
});
