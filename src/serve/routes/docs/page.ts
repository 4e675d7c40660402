// The /docs page: plain HTML, a stylesheet and a script that fetches /docs/openapi.json and renders every
// operation (method, path, scope, parameters, request body and responses with their schemas, a filter box).
// Kept as strings here so the compiled package serves them too (dist/ has no web/ copy of them); the script
// builds the page with DOM calls and textContent only, and loads from the same origin, as the CSP asks.

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>seqrank HTTP API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/docs/page.css">
</head>
<body>
  <header>
    <h1 id="title">seqrank HTTP API</h1>
    <input id="filter" type="search" placeholder="filter: /v1/items, post, search …" autocomplete="off">
    <a href="/docs/openapi.json">openapi.json</a>
  </header>
  <p id="status" role="status">loading /docs/openapi.json …</p>
  <p id="about"></p>
  <main id="operations"></main>
  <section id="components"></section>
  <script src="/docs/page.js"></script>
</body>
</html>
`;

export const DOCS_CSS = `body { font-family: system-ui, sans-serif; margin: 0; color: #222; background: #f6f7f9; }
header { display: flex; gap: 1.2rem; align-items: center; padding: 0.6rem 1.2rem; background: #1f2937; color: #fff; }
header h1 { font-size: 1.2rem; margin: 0; }
header a { color: #cbd5e1; margin-left: auto; }
header input { font: inherit; min-width: 18rem; }
#status, #about { margin: 0.8rem 1.2rem; }
main, #components { padding: 0 1.2rem 1rem; }
details.op { background: #fff; border-radius: 6px; margin: 0.5rem 0; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.08); }
details.op > summary { cursor: pointer; padding: 0.5rem 0.8rem; display: flex; gap: 0.8rem; align-items: baseline; }
details.op > div { padding: 0 0.8rem 0.8rem; }
.method { font-weight: 700; min-width: 4.5rem; font-family: ui-monospace, monospace; }
.get { color: #1d4ed8; } .post { color: #047857; } .put { color: #b45309; } .delete { color: #b91c1c; }
.path { font-family: ui-monospace, monospace; }
.scope { margin-left: auto; font-size: 0.8rem; padding: 0.05rem 0.5rem; border-radius: 1rem; background: #e5e7eb; }
h3 { font-size: 0.95rem; margin: 0.8rem 0 0.3rem; }
table { border-collapse: collapse; font-size: 0.88rem; }
th, td { text-align: left; padding: 0.2rem 0.6rem 0.2rem 0; vertical-align: top; border-bottom: 1px solid #eee; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.82rem; }
pre { background: #f3f4f6; padding: 0.5rem; border-radius: 4px; overflow-x: auto; margin: 0.3rem 0; }
`;

export const DOCS_JS = `"use strict";
(function () {
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function row(cells, header) {
    var tr = el("tr");
    cells.forEach(function (c) { tr.append(el(header ? "th" : "td", "", c)); });
    return tr;
  }
  function brief(s) {
    if (!s) return "";
    if (s.$ref) return s.$ref.split("/").pop();
    if (s.anyOf) return s.anyOf.map(brief).join(" | ");
    if (s.enum) return s.enum.map(function (v) { return JSON.stringify(v); }).join(" | ");
    if (s.type === "array") return brief(s.items) + "[]";
    var limits = ["default", "minimum", "maximum", "minLength", "maxLength", "pattern", "format"]
      .filter(function (k) { return s[k] !== undefined; })
      .map(function (k) { return k + " " + JSON.stringify(s[k]); });
    return (s.type || "any") + (limits.length ? " (" + limits.join(", ") + ")" : "");
  }
  function schemaBlock(title, schema) {
    var box = el("div");
    box.append(el("h3", "", title));
    box.append(el("pre", "", JSON.stringify(schema, null, 2)));
    return box;
  }
  function operation(method, path, op) {
    var details = el("details", "op");
    details.dataset.key = (method + " " + path + " " + (op.summary || "")).toLowerCase();
    var summary = el("summary");
    summary.append(el("span", "method " + method, method.toUpperCase()), el("span", "path", path));
    if (op.summary) summary.append(el("span", "", op.summary));
    summary.append(el("span", "scope", op["x-seqrank-scope"] === "public" ? "public" : "key: " + op["x-seqrank-scope"]));
    details.append(summary);
    var body = el("div");
    if (op.description) body.append(el("p", "", op.description));
    if (op.parameters && op.parameters.length) {
      body.append(el("h3", "", "Parameters"));
      var table = el("table");
      table.append(row(["name", "in", "required", "schema", "description"], true));
      op.parameters.forEach(function (p) {
        table.append(row([p.name, p.in, p.required ? "yes" : "", brief(p.schema), p.description || (p.schema && p.schema.description) || ""]));
      });
      body.append(table);
    }
    var content = op.requestBody && op.requestBody.content;
    if (content) Object.keys(content).forEach(function (type) {
      body.append(schemaBlock("Request body (" + type + ")", content[type].schema));
    });
    body.append(el("h3", "", "Responses"));
    Object.keys(op.responses || {}).forEach(function (status) {
      var r = op.responses[status];
      var media = r.content && (r.content["application/json"] || r.content[Object.keys(r.content)[0]]);
      var label = status + ": " + (r.$ref ? r.$ref.split("/").pop() : r.description || "");
      if (media && media.schema) body.append(schemaBlock(label, media.schema));
      else body.append(el("p", "", label));
    });
    details.append(body);
    return details;
  }
  fetch("/docs/openapi.json").then(function (res) {
    if (!res.ok) throw new Error(res.status + " " + res.statusText);
    return res.json();
  }).then(function (spec) {
    document.getElementById("title").textContent = spec.info.title + " " + spec.info.version;
    document.getElementById("about").textContent = spec.info.description || "";
    var main = document.getElementById("operations");
    var count = 0;
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var op = spec.paths[path][method];
        if (!op || !op.responses) return;
        main.append(operation(method, path, op));
        count++;
      });
    });
    var components = document.getElementById("components");
    var schemas = (spec.components && spec.components.schemas) || {};
    Object.keys(schemas).forEach(function (name) { components.append(schemaBlock("Schema " + name, schemas[name])); });
    document.getElementById("status").textContent = count + " operations, OpenAPI " + spec.openapi;
    document.getElementById("filter").addEventListener("input", function (e) {
      var words = e.target.value.toLowerCase().split(/\\s+/).filter(Boolean);
      main.querySelectorAll("details.op").forEach(function (d) {
        d.hidden = !words.every(function (w) { return d.dataset.key.indexOf(w) >= 0; });
      });
    });
  }).catch(function (err) {
    document.getElementById("status").textContent = "could not load /docs/openapi.json: " + err.message;
  });
})();
`;
