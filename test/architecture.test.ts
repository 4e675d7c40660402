// The layout's one rule, checked on the source: every import between the stage folders of src/ points to an
// earlier stage (data flows one way), and the import graph drawn in the README is the real one (edge for edge),
// so the picture cannot drift from the code.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");

/** The stages, each allowed to import only the ones before it. */
const ORDER = [
  "util",
  "graph",
  "data",
  "eval",
  "models",
  "train",
  "artifact",
  "retrieval",
  "search",
  "serve",
  "cli",
];

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* sources(join(dir, e.name));
    else if (e.name.endsWith(".ts")) yield join(dir, e.name);
  }
}

const stageOf = (file: string) => relative(src, file).split("/")[0];

/** Stage → stages it imports (relative imports that leave the stage's folder). */
function stageImports(): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const file of sources(src)) {
    const from = stageOf(file);
    if (!ORDER.includes(from)) continue; // src/index.ts, the public barrel, re-exports every stage
    for (const m of readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)"/g)) {
      const to = stageOf(normalize(join(dirname(file), m[1])));
      if (to === from) continue;
      const set = edges.get(from) ?? new Set<string>();
      set.add(to);
      edges.set(from, set);
    }
  }
  return edges;
}

test("every stage imports only earlier stages", () => {
  const found = [
    ...new Set(
      readdirSync(src, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name),
    ),
  ];
  assert.deepEqual(found.sort(), [...ORDER].sort(), "every folder of src/ has its place in ORDER");
  for (const [from, tos] of stageImports())
    for (const to of tos)
      assert.ok(ORDER.indexOf(to) < ORDER.indexOf(from), `src/${from} imports src/${to}, a later stage`);
});

test("the README's import graph is the real one", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const block = readme.match(/```mermaid\n(graph[^\n]*\n[\s\S]*?)```/)?.[1];
  assert.ok(block, "README has a mermaid graph");
  const drawn = new Set([...block.matchAll(/^\s*(\w+) --> (\w+)$/gm)].map((m) => `${m[1]} --> ${m[2]}`));
  const real = new Set(
    [...stageImports()].flatMap(([from, tos]) =>
      [...tos].filter((t) => t !== "util").map((t) => `${from} --> ${t}`),
    ),
  );
  assert.deepEqual([...drawn].sort(), [...real].sort());
});
