/**
 * `node scripts/run-ts.js scripts/package-contents.ts <unpacked-package-dir>`,
 * run by scripts/check-package.sh: fails when the packed package holds a file
 * outside what it exports and what those import (lib/operations/package-contents.ts).
 */
import { unpackedFilesOutsideExports } from "../lib/reports/package-contents";

const [packageDir] = process.argv.slice(2);
if (packageDir === undefined) {
  process.stderr.write("usage: node scripts/run-ts.js scripts/package-contents.ts <unpacked-package-dir>\n");
  process.exitCode = 2;
} else {
  const extra = unpackedFilesOutsideExports(packageDir);
  if (extra.length) {
    process.stderr.write(
      `the package holds ${extra.length} file(s) that it neither exports nor imports from an export:\n${extra.map((f) => `  ${f}`).join("\n")}\n`,
    );
    process.exitCode = 1;
  } else {
    process.stdout.write("every file of the package is exported or imported by an export\n");
  }
}
