// The package as a shop gets it: `npm pack` (its prepack script builds dist/), the tarball installed into a fresh
// project with the one setting the README's install section asks for, and then, in that project and with plain
// node (no tsx): every export path imported, a consumer .ts file type-checked against the installed types and run,
// `npx seqrank --help`, and the installed `seqrank serve` answering `/` with the dashboard.
// The install compiles better-sqlite3 (its prebuilt binary is not reachable here), so this takes about 1.5 min.
import assert from "node:assert/strict";
import { type SpawnSyncOptions, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  version: string;
  exports: Record<string, unknown>;
};

/**
 * The environment of a shell in a fresh project: none of the npm_* variables that `npm test` exports (they carry
 * this repo's .npmrc, onnxruntime-node-install-cuda=skip included, and its prefix), no NODE_OPTIONS, no
 * onnxruntime setting unless the caller adds it. The user's npm config and cache (~/.npmrc, ~/.npm) stay.
 */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(npm_|NODE_OPTIONS$|ONNXRUNTIME_|INIT_CWD$)/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], opts: SpawnSyncOptions): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return String(r.stdout);
}

test("the packed tarball installs into a fresh project and works there with plain node", {
  timeout: 360_000,
}, async (t) => {
  const work = mkdtempSync(join(tmpdir(), "seqrank-package-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));

  // 1. Pack: prepack rebuilds dist/ from src/.
  run("npm", ["pack", "--pack-destination", work], { cwd: repoRoot, env: cleanEnv() });
  const tarball = join(work, `seqrank-${pkg.version}.tgz`);
  const listing = run("tar", ["tzf", tarball], { cwd: work });
  const files = listing.split("\n").filter(Boolean);
  for (const f of [
    "package/LICENSE",
    "package/README.md",
    "package/web/index.html",
    "package/dist/cli/index.js",
  ])
    assert.ok(files.includes(f), `tarball has ${f}`);
  for (const [path, target] of Object.entries(pkg.exports))
    for (const file of typeof target === "string"
      ? [target]
      : Object.values(target as Record<string, string>))
      assert.ok(files.includes(`package/${file.slice(2)}`), `export ${path}: the tarball has ${file}`);
  assert.deepEqual(
    files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
    [],
    "no TypeScript sources in the tarball",
  );

  // 2. A fresh project installs it, with the documented setting (the npm cache makes it mostly local).
  const app = join(work, "app");
  mkdirSync(app);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  const env = cleanEnv();
  run("npm", ["install", tarball, "--no-audit", "--no-fund", "--prefer-offline"], {
    cwd: app,
    env: cleanEnv({ ONNXRUNTIME_NODE_INSTALL: "skip" }),
  });

  // 3. Every export path imports with plain node, from the installed copy.
  const exportPaths = Object.keys(pkg.exports).filter((p) => p !== "./package.json");
  const specs = exportPaths.map((p) => (p === "." ? "seqrank" : `seqrank/${p.slice(2)}`));
  writeFileSync(
    join(app, "imports.mjs"),
    `const out = {};
for (const spec of ${JSON.stringify(specs)}) {
  const m = await import(spec);
  out[spec] = { resolved: import.meta.resolve(spec), exports: Object.keys(m).length };
}
console.log(JSON.stringify(out));
`,
  );
  const imported = JSON.parse(run(process.execPath, ["imports.mjs"], { cwd: app, env })) as Record<
    string,
    { resolved: string; exports: number }
  >;
  for (const spec of specs) {
    const { resolved, exports } = imported[spec];
    assert.match(
      resolved,
      /\/node_modules\/seqrank\/dist\/.*\.js$/,
      `${spec} resolves into the installed dist/`,
    );
    assert.ok(exports > 0, `${spec} exports something`);
  }

  // 4. A consumer .ts file type-checks against the installed .d.ts (strict, library files checked) and runs.
  writeFileSync(
    join(app, "consumer.ts"),
    `import * as seqrank from "seqrank";
import { addDocument, createSearchIndex, type SearchResult, search } from "seqrank/search";
import { type ServeConfig, ServeConfigSchema, type StartedServer } from "seqrank/serve";

const index = createSearchIndex();
addDocument(index, { id: "a", title: "shampoo for dry hair", brand: "Acme", price: 4.5 });
addDocument(index, { id: "b", title: "matte concealer" });
const result: SearchResult = search(index, "shampoo");
const config: ServeConfig = ServeConfigSchema.parse({});
const urlOf = (s: StartedServer): string => s.url;
// @ts-expect-error a document needs an id: the installed types are real, not any
addDocument(index, { title: "no id" });
console.log(JSON.stringify({ top: result.hits[0]?.id, port: config.port, ns: typeof seqrank.search.search, urlOf: typeof urlOf }));
`,
  );
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        skipLibCheck: false,
        outDir: "out",
      },
      files: ["consumer.ts"],
    }),
  );
  const tsc = spawnSync(
    process.execPath,
    [join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
    { cwd: app, env, encoding: "utf8" },
  );
  // With skipLibCheck off, third-party declaration files may have errors of their own (ioredis's import an untyped
  // module); what counts is the consumer's file and seqrank's own declarations.
  const ours = tsc.stdout
    .split("\n")
    .filter((l) => /error TS/.test(l) && !/^node_modules\/(?!seqrank\/)/.test(l));
  assert.deepEqual(ours, [], `type errors in the consumer or in seqrank's declarations:\n${tsc.stdout}`);
  const ran = JSON.parse(run(process.execPath, ["out/consumer.js"], { cwd: app, env }));
  assert.deepEqual(ran, { top: "a", port: 8080, ns: "function", urlOf: "function" });

  // 5. The command line through npx (the installed bin, never a download).
  const help = run("npx", ["--no-install", "seqrank", "--help"], { cwd: app, env });
  assert.match(help, /^Usage: seqrank /m);
  for (const cmd of ["prepare", "train", "serve", "export"])
    assert.match(help, new RegExp(`^\\s+${cmd}\\b`, "m"));

  // 6. The installed `seqrank serve` (no model: Pop from live events) serves the dashboard at /.
  const server = spawn(join(app, "node_modules", ".bin", "seqrank"), ["serve", "--port", "0"], {
    cwd: app,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  let stderr = "";
  server.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line in 60 s\n${stderr}`)), 60_000);
      server.once("exit", (code) => reject(new Error(`seqrank serve exited ${code}\n${stderr}`)));
      createInterface({ input: server.stdout }).on("line", (line) => {
        const parsed = line.startsWith("{") ? (JSON.parse(line) as { listening?: string }) : {};
        if (parsed.listening) {
          clearTimeout(timer);
          resolve(parsed.listening);
        }
      });
    });
    const res = await fetch(`${url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    const html = await res.text();
    assert.match(html, /<html/i);
    const script = await fetch(`${url}/app.js`);
    assert.equal(script.status, 200, "the dashboard's script is served too");
    await script.arrayBuffer();
  } finally {
    server.kill("SIGTERM");
    await exited;
  }
});
