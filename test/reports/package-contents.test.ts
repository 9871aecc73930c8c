/** `npm run check-package`'s rule: the packed package holds only what it exports and what those import. */
import { exportedFiles, filesOutsideExports, relativeImports } from "../../lib/reports/package-contents";

const PKG = {
  main: "dist/index.js",
  types: "dist/index.d.ts",
  exports: {
    ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
    "./stacks/a": { types: "./dist/stacks/a.d.ts", default: "./dist/stacks/a.js" },
    "./schema.json": "./config/schema.json",
    "./package.json": "./package.json",
  },
};

/** A packed package: file name -> text. */
const files: Record<string, string> = {
  "package.json": "{}",
  "README.md": "",
  "config/schema.json": "{}",
  "dist/index.js": 'const rule_1 = require("./rule");\n',
  "dist/index.js.map": "",
  "dist/index.d.ts": 'import { Rule } from "./rule";\nexport declare const x: Rule;\n',
  "dist/rule.js": "exports.x = 1;\n",
  "dist/rule.d.ts": "export type Rule = string;\n",
  "dist/stacks/a.js": 'const b = require("./b");\nconst m = require("../modules/m");\n',
  "dist/stacks/a.d.ts": 'export * from "./b";\n',
  "dist/stacks/b.js": "",
  "dist/stacks/b.d.ts": 'import type { T } from "../types";\n',
  "dist/types.d.ts": "export type T = 1;\n",
  "dist/modules/m/index.js": "",
  "dist/modules/m/index.d.ts": "",
};
const read = (file: string) => files[file];

describe("package contents", () => {
  test("exportedFiles lists main, types and every condition of every export", () => {
    expect(exportedFiles(PKG)).toEqual(["config/schema.json", "dist/index.d.ts", "dist/index.js", "dist/stacks/a.d.ts", "dist/stacks/a.js", "package.json"]);
  });

  test("relativeImports resolves require() in JavaScript and from/import() in declarations, and skips packages", () => {
    const has = (f: string) => f in files;
    expect(relativeImports("dist/stacks/a.js", files["dist/stacks/a.js"], has)).toEqual(["dist/stacks/b.js", "dist/modules/m/index.js"]);
    expect(relativeImports("dist/stacks/b.d.ts", 'import type { T } from "../types";\nimport { App } from "cdktf";\n', has)).toEqual(["dist/types.d.ts"]);
  });

  test("a package of exports, their imports, their declarations and maps, and npm's documents has nothing outside", () => {
    expect(filesOutsideExports(Object.keys(files), PKG, read)).toEqual([]);
  });

  test("fails on a file that no export reaches, listing it", () => {
    const packed: Record<string, string> = { ...files, "dist/lib/cli.js": 'require("../rule");\n', "dist/lib/cli.d.ts": "", "dist/lib/cli.js.map": "" };
    expect(filesOutsideExports(Object.keys(packed), PKG, (f) => packed[f])).toEqual(["dist/lib/cli.d.ts", "dist/lib/cli.js", "dist/lib/cli.js.map"]);
  });
});
