// The dashboard: plain JS over the public HTTP API (no build step).
const $ = (id) => document.getElementById(id);
const userId = () => $("user").value.trim();
$("apikey").value = localStorage.getItem("seqrank-key") ?? "";
$("apikey").addEventListener("change", () => localStorage.setItem("seqrank-key", $("apikey").value));

async function api(path, init = {}) {
  const headers = { ...(init.headers ?? {}) };
  const key = $("apikey").value.trim();
  if (key) headers["x-api-key"] = key;
  if (init.body) headers["content-type"] = "application/json";
  const res = await fetch(path, { ...init, headers });
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${body.code ?? ""}: ${body.message ?? ""}`);
  return body;
}

function status(text) {
  $("status").textContent = text;
}

function itemLine(item, extra = "") {
  const li = document.createElement("li");
  li.dataset.itemId = item.item_id;
  const title = document.createElement("span");
  title.className = "title";
  title.textContent = item.title ?? `item ${item.item_id}`;
  const meta = document.createElement("span");
  meta.className = "meta";
  const parts = [`#${item.item_id}`];
  if (item.category) parts.push(item.category);
  if (item.price != null) parts.push(`$${item.price.toFixed(2)}`);
  if (extra) parts.push(extra);
  meta.textContent = parts.join(" · ");
  li.append(title, meta);
  li.addEventListener("click", () => clickItem(item.item_id, item.title));
  return li;
}

function fill(list, nodes) {
  list.replaceChildren(...nodes);
}

async function runSearch(event) {
  event?.preventDefault();
  const q = $("q").value.trim();
  if (!q) return;
  const user = userId() ? `&user=${encodeURIComponent(userId())}` : "";
  const res = await api(`/v1/search?q=${encodeURIComponent(q)}&k=10${user}`);
  fill(
    $("search-results"),
    res.hits.map((h) => {
      const legs = [
        h.bm25_rank && `bm25 #${h.bm25_rank}`,
        h.vector_rank && `vector #${h.vector_rank}`,
      ].filter(Boolean);
      return itemLine(h, legs.join(", "));
    }),
  );
}

async function loadRecommendations() {
  const res = await api(`/v1/users/${encodeURIComponent(userId())}/recommendations?k=10&explain=true`);
  $("recs-model").textContent = `model ${res.model}`;
  fill(
    $("recs"),
    res.items.map((r) => {
      const li = itemLine(r, `${r.score.toFixed(3)} · ${r.sources.join("+")}`);
      if (r.because?.length) {
        const why = document.createElement("span");
        why.className = "why";
        why.textContent = `because: ${r.because.map((b) => `${b.title ?? b.item_id} (${b.kind})`).join("; ")}`;
        li.append(why);
      }
      return li;
    }),
  );
}

async function loadTimeline() {
  const res = await api(`/v1/users/${encodeURIComponent(userId())}/events?limit=30`);
  const seq = await api(`/v1/users/${encodeURIComponent(userId())}/sequence`);
  const events = res.events.length
    ? res.events.map((e) => ({ when: new Date(e.ts).toLocaleString(), what: `${e.type} ${e.item_id}` }))
    : seq.items.map((id, i) => ({ when: `#${i + 1}`, what: `item ${id}` }));
  fill(
    $("timeline"),
    events.reverse().map((e) => {
      const li = document.createElement("li");
      li.textContent = `${e.when}: ${e.what}`;
      return li;
    }),
  );
}

async function loadSimilar(itemId, title) {
  $("similar-of").textContent = title ?? itemId;
  const res = await api(`/v1/items/${encodeURIComponent(itemId)}/similar?k=8`);
  fill(
    $("similar"),
    res.items.map((r) => itemLine(r, r.sources.join("+"))),
  );
}

async function clickItem(itemId, title) {
  try {
    await api("/v1/events", {
      method: "POST",
      body: JSON.stringify({ user_id: userId(), item_id: itemId, type: "click" }),
    });
    status(`clicked ${itemId}`);
  } catch (err) {
    status(`event not sent: ${err.message}`);
  }
  await Promise.all([loadRecommendations(), loadTimeline(), loadSimilar(itemId, title)]);
}

function curve(history, key, label) {
  const points = history
    .map((h) => [h.epoch, key === "loss" ? h.loss : h.valid[key]])
    .filter(([, v]) => v != null);
  if (points.length === 0) return "";
  const w = 320;
  const h = 120;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x) => 30 + ((x - x0) / (x1 - x0 || 1)) * (w - 40);
  const sy = (y) => h - 20 - ((y - y0) / (y1 - y0 || 1)) * (h - 30);
  const path = points.map(([x, y], i) => `${i ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
  return `<svg width="${w}" height="${h}" role="img" aria-label="${label}"><path d="${path}" fill="none" stroke="#2563eb" stroke-width="2"/>
    <text x="30" y="12">${label}: ${y1.toFixed(4)} max, ${y0.toFixed(4)} min</text><text x="30" y="${h - 4}">epoch ${x0}</text>
    <text x="${w - 50}" y="${h - 4}">epoch ${x1}</text></svg>`;
}

async function loadModel() {
  const m = await api("/v1/model");
  const rows = [];
  const r = m.results;
  if (r) {
    for (const k of Object.keys(r.test ?? {}).filter((k) => /@10$/.test(k))) {
      rows.push(
        `<tr><th>${k}</th><td>${r.valid?.[k]?.toFixed(4) ?? "–"}</td><td>${r.test[k].toFixed(4)}</td></tr>`,
      );
    }
  }
  $("model-info").innerHTML = `<p><b>${m.name}</b> version ${m.version} · ${m.n_items} items · d=${m.dim}${
    m.versions.length ? ` · registry: ${m.versions.join(", ")}` : ""
  }</p>${rows.length ? `<table><tr><th></th><th>valid</th><th>test</th></tr>${rows.join("")}</table>` : "<p>No training metrics for this model.</p>"}`;
  const history = r?.history ?? [];
  $("curves").innerHTML = curve(history, "loss", "train loss") + curve(history, "NDCG@10", "valid NDCG@10");
}

async function refreshUser() {
  try {
    await Promise.all([loadRecommendations(), loadTimeline()]);
    status(`user ${userId()}`);
  } catch (err) {
    status(err.message);
  }
}

$("search-form").addEventListener("submit", (e) => runSearch(e).catch((err) => status(err.message)));
$("user").addEventListener("change", refreshUser);
await Promise.all([refreshUser(), loadModel().catch((err) => status(err.message))]);
