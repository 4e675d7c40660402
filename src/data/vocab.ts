// Dense vocabularies: raw string ⇄ id, with id 0 reserved for padding / "unknown".
// Ids are handed out in the order values are first added, so a vocabulary is deterministic
// whenever its caller adds values in a deterministic order (build.ts documents that order).
import { readFileSync, writeFileSync } from "node:fs";
import { SeqrankError } from "../util/errors.js";

export class Vocab {
  /** values[id] is the raw value of `id`; values[0] is "" (padding). */
  readonly values: string[] = [""];
  private readonly ids = new Map<string, number>();

  /** Returns the id of `value`, adding it with the next free id if it is new. */
  add(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  /** The id of `value`, or 0 if it is not in the vocabulary. */
  id(value: string): number {
    return this.ids.get(value) ?? 0;
  }

  /** The raw value of `id` (throws for 0 and out-of-range ids). */
  value(id: number): string {
    if (id < 1 || id >= this.values.length)
      throw new SeqrankError("SR_ERR_VOCAB_ID", `no vocabulary entry for id ${id}`);
    return this.values[id];
  }

  /** Number of real entries (ids 1..count). */
  get count(): number {
    return this.values.length - 1;
  }

  /** Rows an embedding table needs: count + 1 for padding. */
  get size(): number {
    return this.values.length;
  }

  static fromValues(values: Iterable<string>): Vocab {
    const vocab = new Vocab();
    for (const v of values) vocab.add(v);
    return vocab;
  }
}

// TSV escaping so that raw ids containing tabs, newlines or backslashes round-trip.
const escapeField = (s: string) =>
  s.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c] as string);
const unescapeField = (s: string) =>
  s.replace(/\\([\\tnr])/g, (_, c: string) => ({ "\\": "\\", t: "\t", n: "\n", r: "\r" })[c] as string);

/** Writes `id<TAB>raw` lines (ids 1..count) under a header line `id<TAB><column>`. */
export function writeVocabTsv(path: string, vocab: Vocab, column: string): void {
  const lines = [`id\t${column}`];
  for (let id = 1; id < vocab.values.length; id++) lines.push(`${id}\t${escapeField(vocab.values[id])}`);
  writeFileSync(path, `${lines.join("\n")}\n`);
}

/** Reads a file written by `writeVocabTsv`; ids must be 1..n in order. */
export function readVocabTsv(path: string): Vocab {
  const lines = readFileSync(path, "utf8").split("\n");
  const vocab = new Vocab();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === "") continue;
    const tab = line.indexOf("\t");
    const id = Number(line.slice(0, tab));
    if (tab < 0 || id !== vocab.size) {
      throw new SeqrankError("SR_ERR_VOCAB_FILE", `${path}:${i + 1}: expected id ${vocab.size}`);
    }
    vocab.add(unescapeField(line.slice(tab + 1)));
  }
  return vocab;
}
