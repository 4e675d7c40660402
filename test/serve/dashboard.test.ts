// End to end in Chromium: the dashboard searches, a click on a result sends an event, and the user's
// recommendations, timeline and similar items update — under the service's Content-Security-Policy.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { type Browser, chromium } from "playwright-core";
import { dashboard } from "../../src/serve/plugins/dashboard.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { preparedDataset } from "../helpers/prepared.js";
import { datasetsDir, testApp, WRITE_KEY } from "./helpers.js";
import { vectorModel } from "./vector-model.js";

let app: FastifyInstance;
let browser: Browser;
let url: string;

before(async () => {
  app = await testApp(
    {
      dataDir: preparedDataset("amazon-beauty"),
      catalogFile: join(datasetsDir, "amazon-beauty", "items.jsonl"),
    },
    { plugins: [recommender({ model: vectorModel("dash") }), dashboard()] },
  );
  url = await app.listen({ host: "127.0.0.1", port: 0 });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});
after(async () => {
  await browser?.close();
  await app?.close();
});

test("search, click a result (an event), see the recommendations change", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  const loaded = await page.goto(url);
  assert.match(loaded?.headers()["content-security-policy"] ?? "", /script-src 'self'/);
  await page.fill("#user", "5");
  await page.dispatchEvent("#user", "change");
  await page.fill("#apikey", WRITE_KEY);
  await page.dispatchEvent("#apikey", "change");
  await page.waitForSelector("#recs li");
  const before = await page.locator("#recs li").allTextContents();
  assert.equal(before.length, 10);
  await page.waitForSelector("#model-info b");
  assert.match((await page.locator("#model-info").textContent()) ?? "", /projection/);

  await page.fill("#q", "nail polish");
  await page.click("#search-form button");
  await page.waitForSelector("#search-results li");
  const first = page.locator("#search-results li").first();
  const itemId = await first.getAttribute("data-item-id");
  assert.ok(itemId);
  await first.click();
  await page.waitForFunction(
    (old) => [...document.querySelectorAll("#recs li")].map((li) => li.textContent).join("|") !== old,
    before.join("|"),
  );
  const after = await page.locator("#recs li").allTextContents();
  assert.notDeepEqual(after, before);
  assert.match((await page.locator("#status").textContent()) ?? "", new RegExp(`clicked ${itemId}`));
  await page.waitForSelector("#similar li");
  assert.match(
    (await page.locator("#timeline li").first().textContent()) ?? "",
    new RegExp(`click ${itemId}`),
  );
  // The clicked item now explains some recommendations.
  assert.ok((await page.locator("#recs .why").allTextContents()).length > 0);
  assert.deepEqual(errors, []);
  await page.close();
});
