/**
 * The tables a reader sees are generated from the code that holds the truth
 * (lib/docs/generated.ts, `npm run generate`), and the committed copies are
 * current: a stale copy fails here, naming the file and the command.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { configTable, generatedFiles, replaceGenerated, staleGeneratedFiles } from "../../lib/docs/generated";
import { tempDir } from "../helpers";

const ROOT = path.join(__dirname, "..", "..");

test("every generated file is current (npm run generate writes them)", () => {
  expect(staleGeneratedFiles(ROOT)).toEqual([]);
});

test("fails on a stale copy, naming the file", () => {
  const copy = tempDir();
  for (const file of ["README.md", "docs/iam.md", "config/environments.schema.json", "config/environments.json"]) {
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
  }
  expect(staleGeneratedFiles(copy)).toEqual([]);
  const readme = fs.readFileSync(path.join(copy, "README.md"), "utf8");
  fs.writeFileSync(path.join(copy, "README.md"), readme.replace("| `environments.<env>.region` |", "| `environments.<env>.regions` |"));
  expect(staleGeneratedFiles(copy)).toEqual(["README.md"]);
});

test("the configuration table holds every field of the schema with its description and default", () => {
  const table = configTable();
  for (const row of [
    "| `quotas.granteesPerCluster` | integer ≥ 1 | 5 | Accounts authorized per cluster. |",
    "| `environments.<env>.consumers[].subnetIds` | list of string (exactly 1) | required | Exactly one subnet: it fixes the subnet, and so the AZ, of the endpoint's network interface. |",
    "| `environments.<env>.producer.forceDeleteAuthorizations` | boolean | false |",
  ])
    expect(table).toContain(row);
});

test("fails to replace a section whose markers are missing, naming the file and the marker", () => {
  expect(() => replaceGenerated("no markers", "config-table", "x", "README.md")).toThrow(
    "README.md has no <!-- generated:config-table --> ... <!-- /generated:config-table --> section",
  );
});

test("the README is for users: at most 300 lines", () => {
  expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8").split("\n").length - 1).toBeLessThanOrEqual(300);
});

test("the generated files are the schema, the README's configuration table and docs/iam.md's grant table", () => {
  expect(generatedFiles(ROOT).map((g) => g.file)).toEqual(["config/environments.schema.json", "README.md", "docs/iam.md"]);
});
