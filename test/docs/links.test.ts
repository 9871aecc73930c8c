/**
 * Every relative link of the project's Markdown points at a file that exists,
 * and every `#anchor` at a heading of that file, slugged as GitHub slugs it
 * (github-slugger). A file moved or a heading renamed fails here, naming the
 * link, instead of in front of a reader.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import GithubSlugger from "github-slugger";

const ROOT = path.resolve(__dirname, "..", "..");
const SKIP = new Set(["node_modules", ".venv", ".git", "dist", "cdktf.out", ".emulator-state", ".gen"]);

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name) || entry.name.startsWith(".")) return [];
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(file);
    return entry.name.endsWith(".md") ? [file] : [];
  });
}

/** The Markdown outside fenced code blocks. */
const unfenced = (text: string): string => text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");

/** The Markdown outside fenced code blocks and inline code. */
const prose = (text: string): string => unfenced(text).replace(/`[^`\n]*`/g, "");

/** The anchors of a Markdown file's headings, as GitHub makes them. */
function anchors(file: string): Set<string> {
  const slugger = new GithubSlugger();
  const found = new Set<string>();
  for (const line of unfenced(fs.readFileSync(file, "utf8")).split("\n")) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) found.add(slugger.slug(heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[*`]/g, "")));
  }
  return found;
}

/** Each relative link of `file`: [text](target) and [text]: target. */
function relativeLinks(file: string): string[] {
  const text = prose(fs.readFileSync(file, "utf8"));
  const targets = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g), ...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]);
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

const FILES = markdownFiles(ROOT);

test("finds the project's Markdown", () => {
  expect(FILES.map((f) => path.relative(ROOT, f))).toEqual(expect.arrayContaining(["README.md", "docs/runbooks.md", "emulator/README.md"]));
});

test.each(FILES.map((f) => [path.relative(ROOT, f), f]))("every relative link of %s resolves", (_name, file) => {
  const broken: string[] = [];
  for (const link of relativeLinks(file)) {
    const [target, anchor] = link.split("#", 2);
    const resolved = target === "" ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
    if (!fs.existsSync(resolved)) {
      broken.push(`${link}: no file ${path.relative(ROOT, resolved)}`);
      continue;
    }
    if (anchor !== undefined && anchor !== "" && resolved.endsWith(".md") && !anchors(resolved).has(anchor))
      broken.push(`${link}: ${path.relative(ROOT, resolved)} has no heading #${anchor}`);
  }
  expect(broken).toEqual([]);
});

test("a broken link and a missing heading are found", () => {
  const dir = fs.mkdtempSync(path.join(ROOT, "test", "docs", ".links-"));
  try {
    const file = path.join(dir, "a.md");
    fs.writeFileSync(
      file,
      "# A title\n\n[ok](#a-title) [gone](missing.md) [no heading](a.md#nowhere) `[code](nothing.md)`\n\n```sh\n[not a link](nothing.md)\n# not a heading\n```\n\n## How `npm run drift` reads **state**\n",
    );
    expect(relativeLinks(file)).toEqual(["#a-title", "missing.md", "a.md#nowhere"]);
    expect([...anchors(file)]).toEqual(["a-title", "how-npm-run-drift-reads-state"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
