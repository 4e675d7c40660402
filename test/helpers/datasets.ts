// The shared datasets folder, beside the repository (never hard-coded).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const datasetsDir = join(repoRoot, "..", "shared", "datasets");
