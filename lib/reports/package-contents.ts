/**
 * What `npm run check-package` proves about the packed package: it holds no
 * file outside what package.json exports and what those files import. The
 * closure follows relative `require("./x")` in compiled JavaScript and
 * relative `from "./x"` / `import("./x")` in declarations. A module that is
 * reached brings its companions: the declaration of a compiled file, and the
 * source maps of both.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Files npm always packs and nothing imports: they are allowed without an export. */
export const PACKAGE_DOCUMENTS: readonly string[] = ["package.json", "README.md", "CHANGELOG.md", "LICENSE"];

interface PackageJson {
  readonly main?: string;
  readonly types?: string;
  readonly exports?: unknown;
}

/** Every file path that package.json's `main`, `types` and `exports` name (conditions and all), relative to the package. */
export function exportedFiles(pkg: PackageJson): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === "string") found.add(path.posix.normalize(value));
    else if (value && typeof value === "object") Object.values(value).forEach(visit);
  };
  visit(pkg.main);
  visit(pkg.types);
  visit(pkg.exports);
  return [...found].sort();
}

const RELATIVE_SPECIFIER = /(?:require\(|from\s+|import\()\s*["'](\.{1,2}\/[^"']*)["']/g;

/** The package files that `file` imports by relative path, resolved the way node and tsc do for these outputs. */
export function relativeImports(file: string, text: string, has: (file: string) => boolean): string[] {
  const dir = path.posix.dirname(file);
  const declaration = file.endsWith(".d.ts");
  const out: string[] = [];
  for (const [, specifier] of text.matchAll(RELATIVE_SPECIFIER)) {
    const base = path.posix.normalize(path.posix.join(dir, specifier));
    const candidates = declaration
      ? [`${base}.d.ts`, `${base}/index.d.ts`, base.replace(/\.js$/, ".d.ts")]
      : [base, `${base}.js`, `${base}.json`, `${base}/index.js`];
    const hit = candidates.find(has);
    if (hit !== undefined) out.push(hit);
  }
  return out;
}

/**
 * The files of the package that are neither exported, nor imported by an
 * exported file (transitively), nor a companion of such a file, nor a
 * document npm always packs. Empty when the package holds only what it should.
 */
export function filesOutsideExports(files: readonly string[], pkg: PackageJson, read: (file: string) => string): string[] {
  const all = new Set(files);
  const reached = new Set<string>();
  const queue = exportedFiles(pkg).filter((f) => all.has(f));
  while (queue.length) {
    const file = queue.pop() as string;
    if (reached.has(file)) continue;
    reached.add(file);
    if (/\.(js|d\.ts)$/.test(file)) queue.push(...relativeImports(file, read(file), (f) => all.has(f)));
  }
  for (const file of [...reached]) {
    const companions = [
      `${file}.map`,
      ...(file.endsWith(".js") && !file.endsWith(".d.ts") ? [file.replace(/\.js$/, ".d.ts"), file.replace(/\.js$/, ".d.ts.map")] : []),
    ];
    for (const companion of companions) if (all.has(companion)) reached.add(companion);
  }
  return files.filter((f) => !reached.has(f) && !PACKAGE_DOCUMENTS.includes(f)).sort();
}

/** Reads an unpacked package folder (the `package/` of `npm pack`'s tarball) and returns its files outside the exports. */
export function unpackedFilesOutsideExports(packageDir: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(packageDir, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else files.push(rel);
    }
  };
  walk("");
  const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as PackageJson;
  return filesOutsideExports(files, pkg, (file) => fs.readFileSync(path.join(packageDir, file), "utf8"));
}

/** The root package.json's fields the published package takes, and its `publish` block. */
export interface RootManifest {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly license?: string;
  readonly engines?: unknown;
  readonly dependencies?: Readonly<Record<string, string>>;
  /** What the published package is, beside the root app (which is private). */
  readonly publish: {
    /** The README the package ships: the module's own, not the app's. */
    readonly readme: string;
    /** Further files, each shipped at the package root under its own name. */
    readonly files: readonly string[];
    readonly main: string;
    readonly types: string;
    readonly exports: unknown;
    readonly typesVersions?: unknown;
  };
}

/**
 * The published package's package.json: the root's name, version,
 * dependencies and the like, with the `publish` block's entry points, which
 * point into the compiled tree (dist/ is the package's root).
 */
export function publishedManifest(root: RootManifest): Record<string, unknown> {
  const { readme: _readme, files: _files, ...entries } = root.publish;
  return {
    name: root.name,
    version: root.version,
    ...(root.description === undefined ? {} : { description: root.description }),
    ...(root.license === undefined ? {} : { license: root.license }),
    ...(root.engines === undefined ? {} : { engines: root.engines }),
    ...entries,
    ...(root.dependencies === undefined ? {} : { dependencies: root.dependencies }),
  };
}

/**
 * Makes `distDir` (the compiled tree) the package's root: writes its
 * package.json and copies the module's README and the other published files
 * into it. Returns the files written.
 */
export function assemblePackage(projectDir: string, distDir: string): string[] {
  const root = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as RootManifest;
  const written = [path.join(distDir, "package.json")];
  fs.writeFileSync(written[0], `${JSON.stringify(publishedManifest(root), null, 2)}\n`);
  for (const [from, to] of [[root.publish.readme, "README.md"], ...root.publish.files.map((f) => [f, path.basename(f)])]) {
    fs.copyFileSync(path.join(projectDir, from), path.join(distDir, to));
    written.push(path.join(distDir, to));
  }
  return written;
}
