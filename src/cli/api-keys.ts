// Where `seqrank serve` gets its API keys: $SEQRANK_API_KEYS, an --api-keys-file, and --api-key flags
// (visible to every local user in the process list, so the other two are preferred). Each key is written
// `key` or `key:scope,scope` (scopes: read, write, metrics; without scopes a key gets all three).
import { readFileSync } from "node:fs";
import { type ApiKey, ApiKeySchema } from "../serve/config.js";
import { SeqrankError } from "../util/errors.js";

const ALL_SCOPES = ["read", "write", "metrics"];

/** `key` or `key:read,write`; `source` names where it came from (in messages and as the key's name). */
export function parseApiKey(spec: string, source: string): ApiKey {
  const colon = spec.lastIndexOf(":");
  const key = colon < 0 ? spec : spec.slice(0, colon);
  const scopes = colon < 0 ? ALL_SCOPES : spec.slice(colon + 1).split(",");
  const parsed = ApiKeySchema.safeParse({ key, scopes, name: source });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SeqrankError("SR_ERR_CLI_ARG", `${source}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** $SEQRANK_API_KEYS: keys separated by whitespace. */
export function keysFromEnv(value: string | undefined): ApiKey[] {
  const specs = value?.split(/\s+/).filter(Boolean) ?? [];
  return specs.map((spec, i) => parseApiKey(spec, `SEQRANK_API_KEYS #${i + 1}`));
}

/** An --api-keys-file: one key per line; blank lines and lines starting with # are skipped. */
export function keysFromFile(path: string): ApiKey[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new SeqrankError(
      "SR_ERR_CLI_ARG",
      `--api-keys-file ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  return text
    .split(/\r?\n/)
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== "" && !line.startsWith("#"))
    .map(([line, n]) => parseApiKey(line, `${path}:${n}`));
}

export function keysFromFlags(specs: string[]): ApiKey[] {
  return specs.map((spec, i) => parseApiKey(spec, `--api-key #${i + 1}`));
}
