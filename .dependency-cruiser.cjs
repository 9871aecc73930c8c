/**
 * The layers of this repository and the one direction imports may run
 * (docs/architecture.md draws them):
 *
 *   main.ts, scripts/                   entry points: thin scripts that run a command of lib/
 *     -> lib/bench/                     npm run bench, bench:deploy, bench:drift
 *       -> lib/rehearsal/               the rehearsal harness: the emulator, its engine, IAM enforcement, call logs
 *         -> lib/docs/                  the tables generated from the code (npm run generate)
 *         -> lib/reports/               parsers of what CI tools write (checkov, parliament, the IAM reference, tofu test)
 *           -> lib/operations/          the commands that act on real AWS: deploy/diff/destroy, verify, adopt, drift, parity:record
 *             -> lib/iam/               least-privilege documents from synthesized stacks, and why each grant is there
 *               -> lib/aws/             the AWS clients of one stack, and reading AWS errors
 *                 -> lib/synth/         the synth engine and the synth command
 *                   -> lib/cli/         the command pattern: options table, usage, parsing, exit codes
 *                     -> lib/app/       building the stacks from config
 *                       -> lib/config/  schema, rules, cross-field checks, loading
 *                         -> stacks/    one class per account role
 *                           -> modules/<name>/  reusable constructs; each imports only packages and its own folder
 *
 * A file may import its own layer and any layer below it, never one above,
 * and there are no circles. The one sideways import down the stack is
 * lib/config -> modules/redshift-endpoint/endpoint-name.ts (the endpoint-name
 * rule is the module's own), which the direction already allows.
 *
 * One rule is worth stating twice: code that acts on real AWS (lib/operations,
 * lib/aws) never imports the rehearsal harness or the emulator. The direction
 * forbids it already; `real-aws-apart-from-harness` says so by name.
 *
 * Run by `npm run lint` and by test/house/layers.test.ts (which also proves that
 * each rule fails on a fixture that breaks it).
 */

/** Paths of each layer, top first. A layer may import only the ones after it. */
const LAYERS = [
  ["entry points", "^(main\\.ts$|scripts/)"],
  ["lib/bench", "^lib/bench/"],
  ["lib/rehearsal", "^lib/rehearsal/"],
  ["lib/docs", "^lib/docs/"],
  ["lib/reports", "^lib/reports/"],
  ["lib/operations", "^lib/operations/"],
  ["lib/iam", "^lib/iam/"],
  ["lib/aws", "^lib/aws/"],
  ["lib/synth", "^lib/synth/"],
  ["lib/cli", "^lib/cli/"],
  ["lib/app", "^lib/app/"],
  ["lib/config", "^lib/config/"],
  ["stacks", "^stacks/"],
];

/** Which layers each layer must not import: every layer above it. */
const upward = LAYERS.slice(1).map(([name, path], i) => ({
  name: `no-upward-from-${name.replace(/\W+/g, "-")}`,
  comment: `${name} may import only its own layer and those below it (see .dependency-cruiser.cjs)`,
  severity: "error",
  from: { path },
  to: { path: LAYERS.slice(0, i + 1).map(([, p]) => p) },
}));

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "A circle of imports has no top: split out what both sides need (as lib/app/build-options.ts does)",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "real-aws-apart-from-harness",
      comment: "Code that acts on real AWS never imports the rehearsal harness or the emulator that imitates AWS",
      severity: "error",
      from: { path: "^lib/(operations|aws)/" },
      to: { path: "^(lib/rehearsal/|emulator/)" },
    },
    {
      name: "module-self-contained",
      comment: "A module under modules/ is installed by other teams: it imports only packages and its own folder",
      severity: "error",
      from: { path: "^modules/([^/]+)/" },
      to: { dependencyTypesNot: ["npm", "npm-dev", "npm-optional", "npm-peer", "npm-no-pkg", "core"], pathNot: "^modules/$1/" },
    },
    ...upward,
    {
      name: "no-upward-from-modules",
      comment: "modules/ is the lowest layer: it imports nothing of this repository outside its own folder",
      severity: "error",
      from: { path: "^modules/" },
      to: { path: "^(main\\.ts$|scripts/|lib/|stacks/|test/)" },
    },
    {
      name: "nothing-imports-tests",
      comment: "Code that ships or runs never depends on test files",
      severity: "error",
      from: { pathNot: "^test/" },
      to: { path: "^test/" },
    },
    {
      name: "synth-pool-built-ins-only",
      comment: "main.ts starts the synth workers before anything heavy loads, so lib/synth/synth-pool.ts imports only node built-ins (see main.ts)",
      severity: "error",
      from: { path: "^lib/synth/synth-pool\\.ts$" },
      to: { dependencyTypesNot: ["core"] },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import that does not resolve is a typo or a missing dependency",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|cdktf\\.out)/" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
