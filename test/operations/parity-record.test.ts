/**
 * `npm run parity:record` (lib/operations/parity-record.ts) without AWS: its options,
 * its cost estimate, its update of snapshots.meta.json, and the order of its
 * steps with the clean-up that must run whatever fails, with fakes for the
 * cluster, pytest and the terminal. The run against AWS itself is not tested.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type CommandIo, UsageError, runCommand } from "../../lib/cli/command";
import {
  type ClusterOps,
  METADATA_FILE,
  PRICES,
  type RecordDeps,
  type RecordPlan,
  type SnapshotMetadata,
  estimateCost,
  formatEstimate,
  markRecorded,
  parityRecordCommand,
  recordParity,
  recordPlan,
} from "../../lib/operations/parity-record";
import { tempDir } from "../helpers";

const BASE = { "owner-profile": "sandbox-owner", "grantee-profile": "sandbox-grantee", region: "us-east-1" };
const NAMED: RecordPlan = { ownerProfile: "sandbox-owner", granteeProfile: "sandbox-grantee", region: "us-east-1", cluster: { name: "lake" }, yes: true };
const CREATE: RecordPlan = { ...NAMED, cluster: { create: true } };

describe("recordPlan", () => {
  test("reads the profiles, the region and a named cluster", () => {
    expect(recordPlan({ ...BASE, cluster: "lake", yes: true })).toEqual(NAMED);
    expect(recordPlan({ ...BASE, "create-cluster": true })).toEqual({ ...CREATE, yes: false });
  });

  test.each([
    [{ region: "us-east-1", cluster: "lake" }, "missing --owner-profile, --grantee-profile"],
    [{ ...BASE }, "give --cluster NAME (an RA3 cluster with relocation on) or --create-cluster"],
    [{ ...BASE, cluster: "lake", "create-cluster": true }, "give --cluster NAME or --create-cluster, not both"],
    [
      { ...BASE, "grantee-profile": "sandbox-owner", cluster: "lake" },
      '--owner-profile and --grantee-profile are both "sandbox-owner"; the grantee must be another account',
    ],
    [{ ...BASE, cluster: "Lake_1" }, '--cluster "Lake_1" is not a cluster identifier (lowercase letters, digits, hyphens; a letter first)'],
  ])("fails on %j with a usage error naming the problem", (values, message) => {
    expect(() => recordPlan(values)).toThrow(new UsageError(message));
  });
});

describe("the cost estimate", () => {
  test("counts RA3 node-hours for a created cluster over the whole run, whole hours, at the cited price", () => {
    const estimate = estimateCost(CREATE);
    expect(estimate.minutes).toBe(120);
    expect(estimate.lines.map((l) => [l.unit, l.quantity, l.usd])).toEqual([
      ["node-hours", 4, 4 * PRICES.ra3XlplusNodeHour.usd],
      ["endpoint-hours", 2, 2 * PRICES.endpointHour.usd],
      ["zone", 1, 0],
    ]);
    expect(estimate.totalUsd).toBeCloseTo(4.364, 3);
  });

  test("counts only endpoint-hours for a named cluster, and says the cluster is not counted", () => {
    const estimate = estimateCost(NAMED);
    expect(estimate.totalUsd).toBeCloseTo(0.02, 3);
    const text = formatEstimate(NAMED, estimate);
    expect(text).toContain("expected duration: about 90 minutes");
    expect(text).toContain("not counted: cluster lake itself");
    expect(text).toContain("total: about $0.02");
    expect(text).toContain(PRICES.endpointHour.source);
    expect(text).toContain(PRICES.hostedZone.source);
    expect(formatEstimate(CREATE, estimateCost(CREATE))).toContain(PRICES.ra3XlplusNodeHour.source);
  });
});

const metadata = (): SnapshotMetadata => ({
  sources: { model: "the model" },
  snapshots: {
    "t.py::derived": { recorded: null, keys: { a: ["model"] } },
    "t.py::pending": { recorded: null, pending: "the emulator differs", keys: { b: ["model"] } },
    "t.py::untouched": { recorded: null, keys: { c: ["model"] } },
  },
});

describe("markRecorded", () => {
  test("marks each recorded snapshot with the date, drops pending, leaves the rest derived", () => {
    const { metadata: marked, unknown } = markRecorded(metadata(), ["t.py::derived", "t.py::pending", "t.py::derived"], "2026-03-01");
    expect(unknown).toEqual([]);
    expect(marked.snapshots).toEqual({
      "t.py::derived": { recorded: "2026-03-01", keys: { a: ["model"] } },
      "t.py::pending": { recorded: "2026-03-01", keys: { b: ["model"] } },
      "t.py::untouched": { recorded: null, keys: { c: ["model"] } },
    });
    expect(marked.sources).toEqual({ model: "the model" });
  });

  test("reports a recorded snapshot the metadata does not list, without inventing its sources", () => {
    const { metadata: marked, unknown } = markRecorded(metadata(), ["t.py::new"], "2026-03-01");
    expect(unknown).toEqual(["t.py::new"]);
    expect(Object.keys(marked.snapshots)).not.toContain("t.py::new");
  });

  test("fails on a date that is not YYYY-MM-DD", () => {
    expect(() => markRecorded(metadata(), [], "01-03-2026")).toThrow('the recording date must be YYYY-MM-DD; got "01-03-2026"');
  });
});

/** A fake world: what was called, in order; pytest's and the sweep's exit codes; a cluster that may fail to be made. */
function fakes(options: { suite?: number; sweep?: number; createFails?: boolean; confirm?: boolean; recorded?: string[] } = {}) {
  const calls: string[] = [];
  const cwd = tempDir("parity-record-");
  fs.mkdirSync(path.join(cwd, path.dirname(METADATA_FILE)), { recursive: true });
  fs.writeFileSync(path.join(cwd, METADATA_FILE), JSON.stringify(metadata()));
  const clusters: ClusterOps = {
    create: async (id) => {
      calls.push(`create ${id.replace(/-[0-9a-f]+$/, "")}`);
      if (options.createFails) throw new Error("VPC default not found");
    },
    waitAvailable: async () => {
      calls.push("wait");
    },
    delete: async (id) => {
      calls.push(`delete ${id.replace(/-[0-9a-f]+$/, "")}`);
    },
  };
  const deps: RecordDeps = {
    spawn: async (_command, args, env) => {
      const what = args.includes("pytest") ? "pytest" : args.includes("sweep") ? "sweep" : args.includes("--write") ? "table" : "setup";
      calls.push(what === "pytest" ? `pytest ${env.TEST_TARGET} ${env.PARITY_CLUSTER?.replace(/-[0-9a-f]+$/, "")}` : what);
      if (what === "pytest" && options.recorded) fs.writeFileSync(env.PARITY_RECORDED_FILE ?? "", `${options.recorded.join("\n")}\n`);
      return what === "pytest" ? (options.suite ?? 0) : what === "sweep" ? (options.sweep ?? 0) : 0;
    },
    clusters,
    confirm: async () => {
      calls.push("confirm");
      return options.confirm ?? true;
    },
    now: () => new Date("2026-03-01T10:00:00Z"),
    scratchDir: () => tempDir("parity-scratch-"),
  };
  let stdout = "";
  let stderr = "";
  const io = (interactive: boolean): CommandIo => ({
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: {},
    cwd,
    interactive,
  });
  return {
    calls,
    deps,
    io,
    cwd,
    out: () => ({ stdout, stderr }),
    meta: () => JSON.parse(fs.readFileSync(path.join(cwd, METADATA_FILE), "utf8")) as SnapshotMetadata,
  };
}

describe("recordParity", () => {
  test("fails as bad usage with no terminal and no --yes, after the estimate and before anything is made", async () => {
    const f = fakes();
    await expect(recordParity({ ...NAMED, yes: false }, f.deps, f.io(false))).rejects.toThrow(
      new UsageError("no terminal to confirm on: read the estimate above and run again with --yes"),
    );
    expect(f.calls).toEqual([]);
    expect(f.out().stdout).toMatch(/^Cost estimate for recording the parity suite in us-east-1/);
  });

  test("creates nothing when the person at the terminal says no", async () => {
    const f = fakes({ confirm: false });
    expect(await recordParity({ ...CREATE, yes: false }, f.deps, f.io(true))).toBe(0);
    expect(f.calls).toEqual(["confirm"]);
    expect(f.out().stdout).toContain("Nothing was created.");
  });

  test("records against the created cluster, sweeps, deletes the cluster, and marks what was recorded", async () => {
    const f = fakes({ recorded: ["t.py::derived"] });
    expect(await recordParity(CREATE, f.deps, f.io(false))).toBe(0);
    expect(f.calls).toEqual(["setup", "create parity-20260301", "wait", "pytest AWS_CLOUD parity-20260301", "sweep", "delete parity-20260301", "table"]);
    expect(f.meta().snapshots["t.py::derived"].recorded).toBe("2026-03-01");
    expect(f.meta().snapshots["t.py::untouched"].recorded).toBeNull();
    expect(f.out()).toEqual({ stdout: expect.stringContaining("Recorded against AWS on 2026-03-01: 1 snapshot(s):\n  t.py::derived\n"), stderr: "" });
  });

  test("fails when a test failed, and still sweeps and deletes the cluster it created", async () => {
    const f = fakes({ suite: 1 });
    expect(await recordParity(CREATE, f.deps, f.io(false))).toBe(1);
    expect(f.calls).toEqual(["setup", "create parity-20260301", "wait", "pytest AWS_CLOUD parity-20260301", "sweep", "delete parity-20260301"]);
    expect(f.out().stderr).toBe("parity:record: the suite failed (pytest exit 1); snapshots of failed tests were not written\n");
  });

  test("deletes a cluster whose creation failed half-way, sweeps, and passes the failure on", async () => {
    const f = fakes({ createFails: true });
    await expect(recordParity(CREATE, f.deps, f.io(false))).rejects.toThrow("VPC default not found");
    expect(f.calls).toEqual(["setup", "create parity-20260301", "sweep", "delete parity-20260301"]);
  });

  test("fails naming the ledger when the sweep could not delete everything, and never touches a named cluster", async () => {
    const f = fakes({ sweep: 1 });
    expect(await recordParity(NAMED, f.deps, f.io(false))).toBe(1);
    expect(f.calls).toEqual(["setup", "pytest AWS_CLOUD lake", "sweep"]);
    expect(f.out().stderr).toMatch(/^parity:record: the sweep could not delete everything the suite made: see its output above and .*ledger\.json\n$/);
  });
});

test("the command exits 2 without a terminal and without --yes, naming why", async () => {
  let stderr = "";
  const io: CommandIo = {
    stdout: () => undefined,
    stderr: (t) => {
      stderr += t;
    },
    env: {},
    cwd: "/nonexistent",
    interactive: false,
  };
  const code = await runCommand(parityRecordCommand, ["--owner-profile", "a", "--grantee-profile", "b", "--region", "us-east-1", "--cluster", "lake"], io);
  expect(code).toBe(2);
  expect(stderr).toMatch(/^parity:record: no terminal to confirm on: read the estimate above and run again with --yes\n/);
});
