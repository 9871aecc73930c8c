/**
 * Writes config/environments.schema.json from the zod schema, so the file
 * editors use never drifts from what synth enforces. `--check` fails instead
 * of writing when the file is stale (the tests run that).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { jsonSchemaText } from "../lib/config/json-schema";

const file = "config/environments.schema.json";
const text = jsonSchemaText();
if (process.argv.includes("--check")) {
  if (readFileSync(file, "utf8") !== text) {
    process.stderr.write(`${file} is stale; run npm run schema\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(file, text);
  process.stdout.write(`wrote ${file}\n`);
}
