// The integrity record of a serving model directory: model.json's `files` maps every other file of the
// directory to its byte size and sha256. Export writes it last; the loader checks every listed file before it
// reads any, so a truncated, garbled or replaced artefact is refused instead of serving different scores.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SeqrankError } from "../util/errors.js";
import { MODEL_JSON, type ServingManifest } from "./serving-model.js";

export type ArtefactRecord = NonNullable<ServingManifest["files"]>;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Size and sha256 of every regular file in `dir` except model.json. */
export function recordArtefacts(dir: string): ArtefactRecord {
  const files: ArtefactRecord = {};
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!e.isFile() || e.name === MODEL_JSON) continue;
    const bytes = readFileSync(join(dir, e.name));
    files[e.name] = { bytes: bytes.length, sha256: sha256(bytes) };
  }
  return files;
}

/** Throws SR_ERR_MODEL_INVALID naming the file unless every file model.json lists is present and unchanged. */
export function verifyArtefacts(
  dir: string,
  manifest: Pick<ServingManifest, "files">,
  required: readonly string[],
): void {
  const files = manifest.files;
  if (!files) {
    throw new SeqrankError(
      "SR_ERR_MODEL_INVALID",
      `${join(dir, MODEL_JSON)} has no artefact checksums (exported by an older seqrank): re-export the run ` +
        "with `seqrank export <run dir> --registry <root> --as <version>`",
    );
  }
  for (const name of required) {
    if (!(name in files))
      throw new SeqrankError("SR_ERR_MODEL_INVALID", `${join(dir, MODEL_JSON)} does not list ${name}`);
  }
  for (const [name, want] of Object.entries(files)) {
    const path = join(dir, name);
    if (name.includes("/") || name === MODEL_JSON || !existsSync(path) || !statSync(path).isFile())
      throw new SeqrankError("SR_ERR_MODEL_INVALID", `${path}: listed in ${MODEL_JSON} but missing`);
    const bytes = readFileSync(path);
    if (bytes.length !== want.bytes) {
      throw new SeqrankError(
        "SR_ERR_MODEL_INVALID",
        `${path}: ${bytes.length} bytes, ${MODEL_JSON} says ${want.bytes} (truncated or replaced)`,
      );
    }
    if (sha256(bytes) !== want.sha256) {
      throw new SeqrankError(
        "SR_ERR_MODEL_INVALID",
        `${path}: sha256 does not match ${MODEL_JSON} (the file is damaged or was changed after export)`,
      );
    }
  }
}
