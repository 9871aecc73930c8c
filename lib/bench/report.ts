/**
 * The bench's rows and results, and the text it prints: the table, the
 * linearity check and the in-process breakdown.
 */
import type { RunSpec } from "./meter";

export type Kind = "floor" | "synth" | "test";

export interface Target {
  readonly text: string;
  readonly check: (row: RowResult) => boolean;
}

export interface Row {
  readonly id: string;
  readonly label: string;
  readonly kind: Kind;
  /** The command as a reader would type it. */
  readonly command: string;
  /** Stacks synthesized; 0 for rows that are not synth. */
  readonly stacks: number;
  readonly runs: number;
  readonly target?: Target;
  /** A fresh spec per run (a new temp folder, so no run sees another's output). */
  readonly spec: () => RunSpec;
  /** Checks a successful run; returns a problem or undefined. */
  readonly verify?: (spec: RunSpec) => string | undefined;
}

/** A row's measurements, with the row's own description. */
export interface RowResult extends Pick<Row, "id" | "label" | "kind" | "command" | "stacks" | "runs"> {
  readonly samplesMs: number[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Largest peak RSS over the runs, MiB. */
  readonly peakRssMiB?: number;
  /** median / floor median. */
  readonly ratioToFloor?: number;
  /** (median - floor median) / stacks. */
  readonly msPerStack?: number;
  /** (peak - floor peak) / stacks. */
  readonly mibPerStack?: number;
  /** False when a test command exited non-zero (its time is still reported). */
  readonly commandOk: boolean;
  readonly target?: string;
  readonly pass?: boolean;
}

export const MIB = 1024;

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const fmtS = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 3 : 2);

/** Time spent in each phase of one shipped-config synth, in ms, measured inside a fresh node process. */
export interface Breakdown {
  readonly runs: number;
  /** From process start to the first line of the probe script (node boot). */
  readonly nodeStartMs: number;
  readonly requireZodMs: number;
  /** cdktf and constructs, after zod. */
  readonly requireCdktfMs: number;
  /** The @cdktf/provider-* modules the bundle requires, after cdktf. */
  readonly requireProviderModulesMs: number;
  readonly providerModules: string[];
  /** Requiring the bundle with all the above cached: our code, config load and validation, building the stacks, synth and writing files. */
  readonly bundleMs: number;
  readonly totalMs: number;
}

export function table(header: readonly string[], lines: ReadonlyArray<readonly string[]>, rightAligned: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: readonly string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(fmt)].join("\n");
}

/** The results table, with a line that says how to read it. */
export function formatTable(results: readonly RowResult[], floor: RowResult): string {
  const lines = results.map((r) => [
    r.label,
    r.kind === "synth" || r.kind === "floor" ? String(r.stacks) : "",
    String(r.runs),
    fmtS(r.medianMs),
    r.runs < 2 ? "" : `${fmtS(r.minMs)}-${fmtS(r.maxMs)}`,
    r.ratioToFloor === undefined ? "" : `${r.ratioToFloor.toFixed(1)}x`,
    r.msPerStack === undefined ? "" : r.msPerStack.toFixed(2),
    r.peakRssMiB === undefined ? "?" : r.peakRssMiB.toFixed(0),
    r.target ?? "",
    r.pass === undefined ? (r.commandOk ? "" : "EXIT!=0") : r.pass ? "pass" : r.commandOk ? "FAIL" : "FAIL (exit!=0)",
  ]);
  return (
    `\n${table(["row", "stacks", "runs", "median s", "range s", "x floor", "ms/stack", "peak MiB", "target", "result"], lines, new Set([1, 2, 3, 5, 6, 7]))}\n` +
    `(x floor = median / floor median ${fmtS(floor.medianMs)} s; ms/stack = (median - floor) / stacks; peak = largest single process)\n`
  );
}

/** How the per-stack cost grows with the number of stacks. */
export interface Linearity {
  readonly msPerStack: Record<number, number | undefined>;
  readonly perStack999vs300: number;
  readonly marginalMsPerStack30to300: number;
  readonly marginalMsPerStack300to999: number;
  readonly marginalRatio: number;
  readonly limit: number;
  readonly flagged: boolean;
}

/** How the per-stack cost grows from 30 to 999 stacks. */
export function formatLinearity(l: Linearity): string {
  const ps = (n: number) => (l.msPerStack[n] ?? NaN).toFixed(2);
  return (
    `\nlinearity: ms/stack ${ps(30)} (30), ${ps(300)} (300), ${ps(999)} (999); 999 vs 300 = ${l.perStack999vs300.toFixed(2)}x ` +
    `(limit ${l.limit}x) ${l.flagged ? "FLAG: per-stack cost grows with size" : "ok"}\n` +
    `           marginal ms/stack ${l.marginalMsPerStack30to300.toFixed(2)} (30->300), ${l.marginalMsPerStack300to999.toFixed(2)} (300->999), ratio ${l.marginalRatio.toFixed(2)}\n`
  );
}

/** Where the time of one shipped-config synth goes. */
export function formatBreakdown(b: Breakdown): string {
  const rows: Array<[string, number]> = [
    ["node start-up", b.nodeStartMs],
    ['require("zod")', b.requireZodMs],
    ['require("cdktf") + constructs', b.requireCdktfMs],
    [`${b.providerModules.length} @cdktf/provider-* modules`, b.requireProviderModulesMs],
    ["our bundle: config, stacks, synth, write", b.bundleMs],
    ["total in process", b.totalMs],
  ];
  return (
    `\nshipped-config synth, inside one process (median of ${b.runs}; no run-ts.js, so a little under the synth row):\n` +
    `${table(
      ["phase", "ms"],
      rows.map(([k, v]) => [k, v.toFixed(0)]),
      new Set([1]),
    )}\n`
  );
}
