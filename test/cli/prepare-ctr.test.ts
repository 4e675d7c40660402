// `seqrank prepare` producing a CTR table from a shop's own files (a MovieLens-100K release given by --config:
// ratings with timestamps, the catalogue and the users file), and `seqrank train <prepared dir> --task ctr`
// training from it; hostile rows are quarantined with their reasons and the rest is trained on.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadCtrDataset } from "../../src/data/ctr/load.js";
import { datasetsDir, runPrepare as prepare } from "./run-prepare.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ml100k = join(datasetsDir, "movielens-100k");

/** A shop's config over the ML-100K files (`events` may point at a doctored copy of the ratings). */
function shopConfig(events: string, ctr: Record<string, unknown> = {}) {
  return {
    name: "shop",
    events: [
      {
        path: events,
        timestampFormat: "unix",
        columns: {
          user: "user_id:token",
          item: "item_id:token",
          label: "rating:float",
          timestamp: "timestamp:float",
        },
      },
    ],
    items: [
      {
        path: join(ml100k, "ml-100k.item"),
        listSeparator: " ",
        columns: {
          item: "item_id:token",
          title: "movie_title:token_seq",
          attributes: "class:token_seq",
          profile: ["release_year:token"],
        },
      },
    ],
    users: [{ path: join(ml100k, "ml-100k.user"), columns: { user: "user_id:token" } }],
    ctr: {
      labels: { click: { positiveMin: 4 } },
      split: { kind: "random", seed: 42 },
      features: [
        { name: "user_id", of: "user", from: "id" },
        { name: "age", of: "user", from: "age:token", kind: "numeric", transform: "buckets" },
        { name: "gender", of: "user", from: "gender:token" },
        { name: "occupation", of: "user", from: "occupation:token" },
        { name: "item_id", of: "item", from: "id" },
        { name: "genres", of: "item", from: "attributes", maxLen: 6 },
        { name: "year", of: "item", from: "release_year:token", kind: "numeric", transform: "buckets" },
        { name: "hour", of: "row" },
      ],
      history: [{ kind: "before", name: "recent", length: 20 }],
      ...ctr,
    },
  };
}

function writeConfig(dir: string, config: unknown): string {
  const path = join(dir, "shop.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** `seqrank train <dir> --task ctr --model lr` for two epochs; the JSON result line. */
function trainLr(dataset: string, out: string): Record<string, Record<string, number>> {
  const args = ["train", dataset, "--task", "ctr", "--model", "lr", "--epochs", "2", "--lr", "0.01"];
  args.push("--batch", "512", "--threads", "1", "--no-progress", "--out", out);
  const child = spawnSync(process.execPath, [join(repoRoot, "bin", "seqrank.js"), ...args], {
    encoding: "utf8",
  });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trimEnd().split("\n").at(-1)!);
}

test("a shop's MovieLens-100K log by --config: prepared as a CTR table, trained with LR well above chance", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sr-ctr-shop-"));
  const out = join(dir, "prepared");
  const lines = await prepare(
    "--config",
    writeConfig(dir, shopConfig(join(ml100k, "ml-100k.inter"))),
    "--out",
    out,
  );
  const summary = JSON.parse(lines.at(-1)!);
  assert.equal(summary.task, "ctr");
  assert.deepEqual([summary.rows, summary.users, summary.items], [100_000, 943, 1682]);
  assert.deepEqual(summary.split, { train: 80_000, valid: 10_000, test: 10_000 });
  assert.equal(summary.labels.click, 55_375, "ratings 4 and 5");
  assert.deepEqual(summary.accounting.events, {
    rows_read: 100_000,
    kept: 100_000,
    quarantined: 0,
    filtered: 0,
  });
  assert.ok(lines.some((l) => /^CTR table: 100,000 rows/.test(l)));
  const data = await loadCtrDataset(out);
  const year = data.columns.find((c) => c.name === "year")!;
  const genres = data.columns.find((c) => c.name === "genres")!;
  const recent = data.columns.find((c) => c.name === "recent")!;
  assert.equal(year.kind, "numeric");
  assert.equal(genres.kind, "multi");
  assert.ok(recent.kind === "multi" && recent.key === "row" && recent.values.every((l) => l.length <= 20));
  const trained = trainLr(out, join(dir, "run"));
  assert.equal(trained.dataset as unknown, "shop");
  assert.ok(trained.test.AUC > 0.72, `test AUC ${trained.test.AUC}`);
});

test("bad rows (non-numeric or missing rating, missing item, unknown item and user) are quarantined with their reasons; the rest trains", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sr-ctr-bad-"));
  const good = readFileSync(join(ml100k, "ml-100k.inter"), "utf8").trimEnd();
  const bad = ["1\t1\tabc\t881250949", "1\t2\t\t881250950", "1\t\t4\t881250951", "1\t99999\t4\t881250952"];
  bad.push("99999\t1\t4\t881250953");
  writeFileSync(join(dir, "ratings.inter"), `${good}\n${bad.join("\n")}\n`);
  const config = shopConfig(join(dir, "ratings.inter"), { split: { kind: "time" } });
  const out = join(dir, "prepared");
  const summary = JSON.parse((await prepare("--config", writeConfig(dir, config), "--out", out)).at(-1)!);
  assert.equal(summary.rows, 100_000);
  assert.equal(summary.quarantined, 5);
  assert.deepEqual(summary.accounting.events, {
    rows_read: 100_005,
    kept: 100_000,
    quarantined: 5,
    filtered: 0,
  });
  const quarantined = readFileSync(join(out, "quarantine.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const file = join(dir, "ratings.inter");
  assert.deepEqual(
    quarantined.map((q) => [q.file, q.line, q.column, q.rule, q.reason]),
    [
      [file, 100_002, "rating:float", "events.bad_label", 'label "abc" is not a number'],
      [file, 100_003, "rating:float", "events.bad_label", "missing label"],
      [file, 100_004, "item_id:token", "events.empty_id", "empty item id"],
      [
        file,
        100_005,
        "item_id:token",
        "events.unknown_item",
        'item "99999" is not in the items file (ml-100k.item); expected a defined item',
      ],
      [
        file,
        100_006,
        "user_id:token",
        "events.unknown_user",
        'user "99999" is not in the users file (ml-100k.user); expected a defined user',
      ],
    ],
  );
  assert.ok(quarantined.every((q) => q.raw === bad[q.line - 100_002]));
  // The time split: 80% / 10% / 10% of the rows by their timestamp quantiles.
  assert.ok(
    Math.abs(summary.split.train - 80_000) < 500 && summary.split.test > 9_000,
    JSON.stringify(summary.split),
  );
  const trained = trainLr(out, join(dir, "run"));
  assert.ok(trained.test.AUC > 0.65, `test AUC ${trained.test.AUC}`);
});

test("CTR configs are strict: an unknown key names itself; build flags and CTR flags where they do not apply", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sr-ctr-cfg-"));
  const events = join(ml100k, "ml-100k.inter");
  const typo = writeConfig(dir, shopConfig(events, { splt: { kind: "time" } }));
  await assert.rejects(prepare("--config", typo, "--out", join(dir, "a")), /SR_ERR_CONFIG.*"splt"/);
  const config = shopConfig(events);
  config.ctr.features[0] = { name: "user_id", of: "user", form: "id" } as never;
  const feature = writeConfig(dir, config);
  await assert.rejects(prepare("--config", feature, "--out", join(dir, "b")), /SR_ERR_CONFIG.*"form"/);
  const misspelt = shopConfig(events);
  misspelt.ctr.features[2] = { name: "gender", of: "user", from: "gendr" };
  await assert.rejects(
    prepare("--config", writeConfig(dir, misspelt), "--out", join(dir, "f")),
    /SR_ERR_CONFIG.*features\.2\.from: the users have no field "gendr" \(have: id, age:token, gender:token/,
  );
  const ok = writeConfig(dir, shopConfig(events));
  await assert.rejects(
    prepare("--config", ok, "--out", join(dir, "c"), "--k-core", "5"),
    /SR_ERR_CLI_ARG.*kCore/,
  );
  await assert.rejects(
    prepare("movielens-100k", "--out", join(dir, "d"), "--protocol", "recbole"),
    /SR_ERR_CLI_ARG/,
  );
  await assert.rejects(prepare("movielens-100k", "--task", "ctr", "--out", join(dir, "e")), /no CTR preset/);
});

test("prepare <preset> --task ctr: the built-in taobao protocol through the same stage", async () => {
  const out = mkdtempSync(join(tmpdir(), "sr-ctr-tb-"));
  const args = ["taobao-userbehavior-sample", "--task", "ctr", "--out", out, "--datasets", datasetsDir];
  const summary = JSON.parse((await prepare(...args)).at(-1)!);
  assert.deepEqual([summary.rows, summary.users], [63_831, 814]);
  assert.deepEqual(summary.labels, { cart: 4358, buy: 1671 });
  assert.deepEqual(summary.accounting.events, {
    rows_read: 84_287,
    kept: 84_287,
    quarantined: 0,
    filtered: 0,
  });
  assert.deepEqual(summary.columns, [
    "user_id",
    "item_id",
    "category",
    "hour",
    "weekday",
    "pv_before",
    "hist_items",
    "hist_categories",
  ]);
});
