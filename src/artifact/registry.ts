// Model versions on disk: <root>/<version>/ holds one run's serving artefacts, and <root>/current names the
// active version. Switching writes current.tmp and renames it over current (atomic on POSIX), so a reader
// sees the old or the new name, never a torn one; every replica polling the file follows the switch.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SeqrankError } from "../util/errors.js";
import { MODEL_JSON } from "./serving-model.js";

const CURRENT = "current";
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class ModelRegistry {
  constructor(readonly root: string) {}

  dir(version: string): string {
    if (!VERSION.test(version)) {
      throw new SeqrankError(
        "SR_ERR_MODEL_VERSION",
        `bad model version "${version}" (letters, digits, . _ -)`,
      );
    }
    return join(this.root, version);
  }

  /** Versions with a model.json, oldest name first. */
  versions(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root, { withFileTypes: true })
      .filter(
        (e) => e.isDirectory() && VERSION.test(e.name) && existsSync(join(this.root, e.name, MODEL_JSON)),
      )
      .map((e) => e.name)
      .sort();
  }

  /** The active version, or undefined when none was activated. */
  current(): string | undefined {
    const path = join(this.root, CURRENT);
    if (!existsSync(path)) return undefined;
    const name = readFileSync(path, "utf8").trim();
    return name === "" ? undefined : name;
  }

  /** Points `current` at `version` atomically. */
  activate(version: string): void {
    const dir = this.dir(version);
    if (!existsSync(join(dir, MODEL_JSON))) {
      throw new SeqrankError(
        "SR_ERR_MODEL_MISSING",
        `model version "${version}" has no ${MODEL_JSON} in ${dir}`,
      );
    }
    mkdirSync(this.root, { recursive: true });
    const tmp = join(this.root, `${CURRENT}.${process.pid}.tmp`);
    writeFileSync(tmp, `${version}\n`);
    renameSync(tmp, join(this.root, CURRENT));
  }
}
