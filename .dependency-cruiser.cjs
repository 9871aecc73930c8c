/**
 * The layers of this repository and the one direction imports may run
 * (docs/architecture.md draws them):
 *
 *   main.ts, scripts/
 *     -> lib/operations/, lib/bench/,    operations commands, the bench,
 *        lib/reports/                    CI report parsers (side by side: none imports another)
 *       -> lib/synth/                    the synth engine and the synth command
 *         -> lib/app/                    building the stacks from config
 *           -> lib/config/               schema, rules, cross-field checks, loading
 *             -> stacks/                 one class per account role
 *               -> modules/<name>/       reusable constructs; each imports only packages and its own folder
 *
 * A file may import its own layer and any layer below it, never one above,
 * and there are no circles. The one sideways import down the stack is
 * lib/config -> modules/redshift-endpoint/endpoint-name.ts (the endpoint-name
 * rule is the module's own), which the direction already allows.
 *
 * Run by `npm run lint` and by test/layers.test.ts (which also proves that
 * each rule fails on a fixture that breaks it).
 */

/** Paths of each layer, top first. A layer may import only the ones after it. */
const LAYERS = [
  ["entry points", "^(main\\.ts$|scripts/)"],
  ["lib/operations", "^lib/operations/"],
  ["lib/bench", "^lib/bench/"],
  // The CI report parsers (parliament, the service authorization reference): pure
  // functions over a tool's output that scripts/ call. A layer of their own, so
  // the direction applies to them as to every other folder under lib/.
  ["lib/reports", "^lib/reports/"],
  ["lib/synth", "^lib/synth/"],
  ["lib/app", "^lib/app/"],
  ["lib/config", "^lib/config/"],
  ["stacks", "^stacks/"],
];

/** Layers side by side under the entry points: none of them imports another. */
const SIBLINGS = ["lib/operations", "lib/bench", "lib/reports"];

/** Which layers each layer must not import: every layer above it, and its siblings. */
const upward = LAYERS.slice(1).map(([name, path], i) => {
  const siblings = SIBLINGS.includes(name) ? LAYERS.filter(([n]) => SIBLINGS.includes(n) && n !== name).map(([, p]) => p) : [];
  const above = [...new Set([...LAYERS.slice(0, i + 1).map(([, p]) => p), ...siblings])];
  return {
    name: `no-upward-from-${name.replace(/\W+/g, "-")}`,
    comment: `${name} may import only its own layer and those below it (see .dependency-cruiser.cjs)`,
    severity: "error",
    from: { path },
    to: { path: above },
  };
});

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
