/**
 * lib/docs: the tables a reader sees that the code holds the truth of, written
 * by `npm run generate` and checked by `npm run generate -- --check` (the unit
 * tier fails on a stale copy):
 * - config/environments.schema.json, from the zod schema;
 * - the README's configuration table, from the same schema's descriptions;
 * - docs/iam.md's grant table, from lib/iam/grants.ts over the shipped config.
 * A generated part of a Markdown file sits between `<!-- generated:NAME -->`
 * and `<!-- /generated:NAME -->`; the rest of the file is written by hand.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defineCommand } from "../cli/command";
import { DEFAULT_CONFIG_FILE, loadConfig } from "../config";
import { jsonSchemaText } from "../config/json-schema";
import { type ExplainedAction, explainStack, explainVerify } from "../iam/policies";
import { synthesizeConfig } from "../synth/parallel-synth";

/** A JSON Schema node, as much of it as the table reads. */
interface SchemaNode {
  readonly type?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: SchemaNode | boolean;
  readonly items?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minimum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** The text of a description and its `@default`, apart. */
function splitDefault(description: string | undefined): { meaning: string; default?: string } {
  const text = (description ?? "").trim();
  const at = text.indexOf("@default");
  if (at < 0) return { meaning: text };
  return { meaning: text.slice(0, at).trim(), default: text.slice(at + "@default".length).trim() };
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

function typeOf(node: SchemaNode): string {
  const variants = node.anyOf ?? node.oneOf;
  if (variants) {
    const types = [...new Set(variants.map(typeOf))];
    return types.length === 1 && types[0].startsWith("object") ? `object, one of ${variants.length} forms (below)` : types.join(" or ");
  }
  if (node.enum) return node.enum.length > 6 ? `string, one of ${node.enum.length} values` : node.enum.map((v) => `\`${String(v)}\``).join(", ");
  if (node.const !== undefined) return `\`${String(node.const)}\``;
  if (node.type === "array") {
    const count =
      node.minItems !== undefined && node.minItems === node.maxItems ? `exactly ${node.minItems}` : node.minItems ? `at least ${node.minItems}` : "";
    return `list of ${node.items ? typeOf(node.items) : "values"}${count ? ` (${count})` : ""}`;
  }
  if (node.type === "object" && typeof node.additionalProperties === "object" && !node.properties) return `map of ${typeOf(node.additionalProperties)}`;
  if (node.type === "object" && node.properties && "type" in node.properties) {
    const kind = node.properties.type;
    return `object, type ${typeOf(kind)}`;
  }
  if (node.type === "integer" && node.minimum !== undefined && node.minimum > -1e15) return `integer ≥ ${node.minimum}`;
  return node.type ?? "object";
}

/** One row per documented field, in the schema's order, paths as the config reads them. */
export function configTableRows(schema: SchemaNode): string[][] {
  const rows: string[][] = [];
  const seen = new Set<string>();
  const visit = (node: SchemaNode, field: string, required: boolean | string) => {
    const { meaning, default: byDefault } = splitDefault(node.description);
    const requiredText = required === true ? "required" : typeof required === "string" ? `required ${required}` : "none";
    if (field && !seen.has(field)) rows.push([`\`${field}\``, cell(typeOf(node)), cell(byDefault ?? requiredText), cell(meaning)]);
    seen.add(field);
    const variants = node.anyOf ?? node.oneOf;
    for (const variant of variants ?? []) {
      const kind = variant.properties?.type?.const;
      const form = kind !== undefined ? `with type \`${String(kind)}\`` : `for ${splitDefault(variant.description).meaning.replace(/\.$/, "").toLowerCase()}`;
      for (const [name, child] of Object.entries(variant.properties ?? {})) {
        if (name === "type") continue;
        // Required in every form: plainly required; in one form: required with that form.
        const everywhere = (variants ?? []).every((v) => (v.required ?? []).includes(name));
        visit(child, `${field}.${name}`, everywhere ? true : (variant.required ?? []).includes(name) ? form : false);
      }
    }
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      if (name === "$schema") continue;
      if (name === "environments" && typeof child.additionalProperties === "object") {
        visit(child.additionalProperties, "environments.<env>", true);
        continue;
      }
      const sub = field ? `${field}.${name}` : name;
      if (child.type === "array" && child.items?.type === "object") {
        const { meaning: m, default: d } = splitDefault(child.description ?? child.items.description);
        rows.push([`\`${sub}[]\``, cell(typeOf(child)), cell(d ?? ((node.required ?? []).includes(name) ? "required" : "none")), cell(m)]);
        for (const [itemName, item] of Object.entries(child.items.properties ?? {}))
          visit(item, `${sub}[].${itemName}`, (child.items.required ?? []).includes(itemName));
        continue;
      }
      visit(child, sub, (node.required ?? []).includes(name));
    }
  };
  visit(schema, "", true);
  return rows;
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** The README's configuration table. */
export function configTable(schemaText = jsonSchemaText()): string {
  return markdownTable(["field", "type", "default", "meaning"], configTableRows(JSON.parse(schemaText) as SchemaNode));
}

/** How a rehearsal sees one grant: called by the provider, checked by AWS behind a call, or not exercised and why. */
function exercised(a: ExplainedAction): string {
  const caller = a.type === "verify" ? "npm run verify calls it" : "the provider calls it";
  const who = a.caller === "provider" ? caller : `AWS checks it behind ${a.via} (${a.source})${a.assumed ? `; assumed: ${a.assumed}` : ""}`;
  return a.notExercised ? `${who}; not exercised: ${a.notExercised}` : `${who}; a rehearsal calls it`;
}

/**
 * docs/iam.md's grant table: every action the shipped config's documents
 * grant, per Terraform type, with why, who checks it and whether a rehearsal
 * exercises it (granted-vs-called holds the rehearsals to it).
 */
export function grantTable(configFile: string): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "generate-"));
  try {
    const outdir = path.join(work, "cdktf.out");
    synthesizeConfig(loadConfig(configFile), { outdir, stateDir: work });
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { synthesizedStackPath: string }> };
    const rows = new Map<string, string[]>();
    for (const [stackId, entry] of Object.entries(manifest.stacks)) {
      const stack = JSON.parse(fs.readFileSync(path.join(outdir, entry.synthesizedStackPath), "utf8"));
      if (!stack.provider?.aws) continue;
      for (const explained of [explainStack(stackId, stack), explainVerify(stackId, stack)])
        for (const s of explained.statements)
          for (const a of s.actions)
            rows.set(`${a.type} ${a.action} ${a.detail}`, [`\`${a.type}\``, `\`${a.action}\``, a.operations.join(", "), cell(a.detail), cell(exercised(a))]);
    }
    return markdownTable(
      ["Terraform type", "action", "operations", "why", "who checks it, and the rehearsals"],
      [...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => r),
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** `text` with the part between the markers of `name` replaced by `content`. */
export function replaceGenerated(text: string, name: string, content: string, file: string): string {
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`${file} has no ${open} ... ${close} section`);
  return `${text.slice(0, start + open.length)}\n${content}\n${text.slice(end)}`;
}

/** Every generated file of the project under `root`, with the text it must hold. */
export function generatedFiles(root: string): Array<{ file: string; text: string }> {
  const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
  return [
    { file: "config/environments.schema.json", text: jsonSchemaText() },
    { file: "README.md", text: replaceGenerated(read("README.md"), "config-table", configTable(), "README.md") },
    { file: "docs/iam.md", text: replaceGenerated(read("docs/iam.md"), "grant-table", grantTable(path.join(root, DEFAULT_CONFIG_FILE)), "docs/iam.md") },
  ];
}

/** The generated files whose committed copy differs from what the code generates. */
export function staleGeneratedFiles(root: string): string[] {
  return generatedFiles(root)
    .filter(({ file, text }) => fs.readFileSync(path.join(root, file), "utf8") !== text)
    .map(({ file }) => file);
}

/** `npm run generate [-- --check]`. */
export const generateCommand = defineCommand(
  {
    name: "generate",
    summary:
      "Writes the files generated from the code: config/environments.schema.json (the zod schema), the README's configuration\n" +
      "table (the schema's descriptions) and docs/iam.md's grant table (lib/iam/grants.ts over the shipped config).",
    positionals: [],
    options: { check: { type: "boolean", description: "write nothing; fail, naming them, when a committed copy is stale" } },
    exits: {
      usage: 2,
      failed: 1,
      meanings: [
        [0, "written, or (--check) every copy is current"],
        [1, "(--check) a copy is stale"],
        [2, "bad usage"],
      ],
    },
  },
  async ({ values }, io) => {
    if (values.check) {
      const stale = staleGeneratedFiles(io.cwd);
      for (const file of stale) io.stderr(`${file} is stale; run npm run generate\n`);
      return stale.length ? 1 : 0;
    }
    for (const { file, text } of generatedFiles(io.cwd)) {
      fs.writeFileSync(path.join(io.cwd, file), text);
      io.stdout(`wrote ${file}\n`);
    }
    return 0;
  },
);
