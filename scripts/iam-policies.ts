/**
 * npm run iam-policies -- --out DIR [--config FILE]
 *
 * Synthesizes the configured environments into a temporary folder and writes,
 * per AWS stack, its least-privilege deploy policy DIR/<stackId>.json and the
 * read-only policy `npm run verify` needs, DIR/<stackId>.verify.json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DEFAULT_CONFIG_FILE, UserError, loadConfig } from "../lib/config";
import { writePolicies } from "../lib/iam/policies";
import { synthesizeConfig } from "../lib/synth/parallel-synth";

const USAGE = `Usage: npm run iam-policies -- --out DIR [--config FILE]

Writes DIR/<stackId>.json: the IAM policy each stack's deploy role needs, derived
from the resource types in the synthesized stack, and DIR/<stackId>.verify.json:
the read-only policy \`npm run verify\` needs for that stack. The config defaults to
REDSHIFT_ENDPOINTS_CONFIG, then ${DEFAULT_CONFIG_FILE}.
`;

function main(argv: string[]): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = value("--out");
  const unknown = argv.filter((a, i) => a.startsWith("-") && !["--out", "--config"].includes(a) && !["--out", "--config"].includes(argv[i - 1]));
  if (!out || unknown.length) {
    process.stderr.write(`${unknown.length ? `unknown option ${unknown[0]}\n` : "--out DIR is required\n"}${USAGE}`);
    return 2;
  }
  const config = loadConfig(value("--config") ?? process.env.REDSHIFT_ENDPOINTS_CONFIG ?? DEFAULT_CONFIG_FILE);
  const work = mkdtempSync(join(tmpdir(), "iam-policies-"));
  try {
    const outdir = join(work, "cdktf.out");
    synthesizeConfig(config, { outdir, stateDir: process.cwd() });
    for (const file of writePolicies(outdir, resolve(out))) process.stdout.write(`wrote ${file}\n`);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${e instanceof UserError ? "" : "iam-policies failed: "}${(e as Error).message}\n`);
  process.exitCode = 1;
}
