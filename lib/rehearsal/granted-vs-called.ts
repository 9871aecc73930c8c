/**
 * Granted vs called: each stack's generated documents set against the calls
 * its sessions made in the rehearsals (the emulator's call logs). Every call
 * must be granted, and every granted action must be called in some scenario
 * or say in its grant why it is not (`notExercised` in lib/iam/grants.ts).
 * `grantsCommand` runs it over the call logs the deploy scenarios leave
 * behind, as a report step after them (scripts/ci/test-scenarios.sh).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { deploySessionName } from "../../stacks/account-stack";
import { defineCommand } from "../cli/command";
import { type ExplainedStatement, explainDrift, explainStack, explainVerify } from "../iam/policies";
import { VERIFY_SESSION_NAME } from "../operations/verify";
import { CALL_LOG_FILE, type CallRecord, type ManifestRole, ROLE_MANIFEST_FILE, parseCallLog } from "./iam-enforcement";

/** A stack's documents with their reasons, and the role each document sat on. */
export interface StackGrants {
  readonly stackId: string;
  readonly kind: "deploy" | "verify" | "drift";
  readonly roleArn: string;
  readonly statements: readonly ExplainedStatement[];
}

export interface GrantComparison {
  readonly stackId: string;
  readonly kind: "deploy" | "verify" | "drift";
  readonly granted: readonly string[];
  readonly called: readonly string[];
  /** Called but not granted: each was a denial. */
  readonly calledNotGranted: readonly string[];
  /** Granted, never called, with the grant's `notExercised`; an empty reason is a finding unless `unexplainedGrants` finds the call elsewhere. */
  readonly notCalled: ReadonlyArray<{ readonly action: string; readonly reason: string }>;
  /** Each granted action's types: the resources or data sources (`resource.<type>`, `data.<type>`, `verify`) it is granted for. */
  readonly grantedFor: Readonly<Record<string, readonly string[]>>;
  /** Called, though every grant of it says why it is not exercised: that reason is stale. */
  readonly calledDespiteReason: readonly string[];
}

/**
 * Sets each stack's documents against the calls its sessions made (the
 * provider's session for deploy documents, verify's session on the verify
 * role). Calls of other sessions (the observer, the state backend) do not
 * count for any stack.
 */
export function compareGrantsWithCalls(grants: readonly StackGrants[], calls: readonly CallRecord[]): GrantComparison[] {
  const byStack = new Map<string, { granted: Map<string, string>; types: Map<string, Set<string>>; called: Set<string>; grant: StackGrants }>();
  for (const g of grants) {
    const key = `${g.kind} ${g.stackId}`;
    const entry = byStack.get(key) ?? { granted: new Map<string, string>(), types: new Map<string, Set<string>>(), called: new Set<string>(), grant: g };
    for (const s of g.statements)
      for (const a of s.actions) {
        const reason = a.notExercised ?? "";
        // An action granted once without a reason must be called, even if another statement grants it with one.
        const previous = entry.granted.get(a.action);
        entry.granted.set(a.action, previous === undefined ? reason : previous === "" || reason === "" ? "" : previous);
        entry.types.set(a.action, (entry.types.get(a.action) ?? new Set<string>()).add(a.type));
      }
    byStack.set(key, entry);
  }
  for (const c of calls) {
    for (const entry of byStack.values()) {
      const g = entry.grant;
      // drift's provider and its own lookups use the stack's deploy session name, on the stack's read-only role.
      const session = g.kind === "verify" ? VERIFY_SESSION_NAME : deploySessionName(g.stackId);
      if (c.role === g.roleArn && c.session === session && c.action !== "sts:GetCallerIdentity") entry.called.add(c.action);
    }
  }
  // Stacks on one role share a session only for verify (one session name); there the role's documents together are what allowed a call.
  const sessionKey = (g: StackGrants) => `${g.roleArn} ${g.kind === "verify" ? VERIFY_SESSION_NAME : deploySessionName(g.stackId)}`;
  const grantedBySession = new Map<string, Set<string>>();
  for (const { granted, grant } of byStack.values()) {
    const all = grantedBySession.get(sessionKey(grant)) ?? new Set<string>();
    for (const a of granted.keys()) all.add(a);
    grantedBySession.set(sessionKey(grant), all);
  }
  return [...byStack.values()]
    .map(({ granted, types, called: sessionCalls, grant }) => {
      const sessionGranted = grantedBySession.get(sessionKey(grant)) ?? new Set<string>();
      // A shared session's call counts for this stack when this stack's document grants it.
      const called = new Set([...sessionCalls].filter((a) => granted.has(a) || !sessionGranted.has(a)));
      return { granted, types, called, grant, calledNotGranted: [...called].filter((a) => !granted.has(a)).sort() };
    })
    .map(({ granted, types, called, grant, calledNotGranted }) => ({
      stackId: grant.stackId,
      kind: grant.kind,
      granted: [...granted.keys()].sort(),
      called: [...called].sort(),
      calledNotGranted,
      notCalled: [...granted.entries()]
        .filter(([a]) => !called.has(a))
        .map(([action, reason]) => ({ action, reason }))
        .sort((a, b) => a.action.localeCompare(b.action)),
      grantedFor: Object.fromEntries([...types].map(([a, t]) => [a, [...t].sort()])),
      calledDespiteReason: [...granted.entries()]
        .filter(([a, reason]) => reason !== "" && called.has(a))
        .map(([a]) => a)
        .sort(),
    }))
    .sort((a, b) => a.stackId.localeCompare(b.stackId) || a.kind.localeCompare(b.kind));
}

/** One row per stack and document over every scenario that rehearsed it: the union of what was granted and called. */
export function mergeComparisons(rows: readonly GrantComparison[]): GrantComparison[] {
  const merged = new Map<string, GrantComparison>();
  for (const r of rows) {
    const key = `${r.stackId} ${r.kind}`;
    const prev = merged.get(key);
    if (prev === undefined) {
      merged.set(key, r);
      continue;
    }
    const called = new Set([...prev.called, ...r.called]);
    const reasons = new Map([...prev.notCalled, ...r.notCalled].map((n) => [n.action, n.reason]));
    const grantedFor: Record<string, string[]> = {};
    for (const [action, types] of [...Object.entries(prev.grantedFor), ...Object.entries(r.grantedFor)])
      grantedFor[action] = [...new Set([...(grantedFor[action] ?? []), ...types])].sort();
    merged.set(key, {
      ...r,
      granted: [...new Set([...prev.granted, ...r.granted])].sort(),
      calledDespiteReason: [...new Set([...prev.calledDespiteReason, ...r.calledDespiteReason])].sort(),
      called: [...called].sort(),
      calledNotGranted: [...new Set([...prev.calledNotGranted, ...r.calledNotGranted])].sort(),
      notCalled: [...reasons.entries()].filter(([a]) => !called.has(a)).map(([action, reason]) => ({ action, reason })),
      grantedFor,
    });
  }
  return [...merged.values()].sort((a, b) => a.stackId.localeCompare(b.stackId) || a.kind.localeCompare(b.kind));
}

/**
 * The grants that nothing explains, as `<stack> <deploy|verify>: <action>`:
 * granted for the stack's own calls (no reason in code), never called by the
 * stack's session, and never called by another stack's session either under
 * the same kind of document with the action granted for the same resource
 * type. So a verify call never vouches for a deploy grant, and a producer's
 * call of an action for its cluster never vouches for a consumer's grant of
 * it for its endpoint. `rows` are the comparisons of every scenario.
 */
export function unexplainedGrants(rows: readonly GrantComparison[]): string[] {
  const key = (kind: string, type: string, action: string) => `${kind} ${type} ${action}`;
  const calledFor = new Set<string>();
  for (const r of rows) for (const action of r.called) for (const type of r.grantedFor[action] ?? []) calledFor.add(key(r.kind, type, action));
  return rows.flatMap((r) =>
    r.notCalled
      .filter((n) => n.reason === "" && !(r.grantedFor[n.action] ?? []).some((type) => calledFor.has(key(r.kind, type, n.action))))
      .map((n) => `${r.stackId} ${r.kind}: ${n.action}`),
  );
}

/** The report's table (docs/iam.md, Granted vs called): stack, document, actions granted, actions called, granted but not called. */
export function formatGrantTable(rows: readonly GrantComparison[]): string {
  const lines = ["| stack | policy | actions granted | actions called | granted, not called (reason in code) |", "| --- | --- | ---: | ---: | --- |"];
  for (const r of rows)
    lines.push(`| ${r.stackId} | ${r.kind} | ${r.granted.length} | ${r.called.length} | ${r.notCalled.map((n) => `\`${n.action}\``).join(", ") || "none"} |`);
  return `${lines.join("\n")}\n`;
}

/** One enforced rehearsal's record: its documents with their reasons, and its calls. */
export interface RecordedScenario {
  readonly name: string;
  readonly grants: readonly StackGrants[];
  readonly calls: readonly CallRecord[];
}

/**
 * The recorded rehearsals under `dir`: each subfolder an enforced rehearsal
 * left (its role manifest, documents, synthesized stacks as `<id>.tf.json`
 * and call log, test/scenarios/harness.ts copies them there).
 */
export function loadRecordedScenarios(dir: string): RecordedScenario[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((d) => fs.existsSync(path.join(dir, d, ROLE_MANIFEST_FILE)))
    .sort()
    .map((name) => {
      const scenario = path.join(dir, name);
      const roles = (JSON.parse(fs.readFileSync(path.join(scenario, ROLE_MANIFEST_FILE), "utf8")) as { roles: ManifestRole[] }).roles;
      const grants: StackGrants[] = [];
      for (const role of roles)
        for (const policy of Object.keys(role.inlinePolicies)) {
          const [stackId, document] = policy.split(".");
          const stackFile = path.join(scenario, `${stackId}.tf.json`);
          if (!fs.existsSync(stackFile)) continue; // the state, inspector and console roles
          const stack = JSON.parse(fs.readFileSync(stackFile, "utf8"));
          const kind = document === "verify" ? "verify" : document === "drift" ? "drift" : "deploy";
          const explained = kind === "verify" ? explainVerify(stackId, stack) : kind === "drift" ? explainDrift(stackId, stack) : explainStack(stackId, stack);
          grants.push({ stackId, kind, roleArn: role.roleArn, statements: explained.statements });
        }
      const log = path.join(scenario, CALL_LOG_FILE);
      return { name, grants, calls: parseCallLog(fs.readFileSync(log, "utf8"), log) };
    });
}

/** What granted-vs-called found over recorded rehearsals; each list empty when all is well. */
export interface GrantsReport {
  readonly rows: readonly GrantComparison[];
  /** Required stacks with no recorded rehearsal. */
  readonly missing: readonly string[];
  readonly denied: readonly string[];
  readonly unexplained: readonly string[];
  readonly staleReasons: readonly string[];
}

export function grantsReport(scenarios: readonly RecordedScenario[], requiredStacks: readonly string[] = []): GrantsReport {
  const rows = scenarios.flatMap((s) => compareGrantsWithCalls(s.grants, s.calls));
  const merged = mergeComparisons(rows);
  const stacks = new Set(rows.map((r) => r.stackId));
  return {
    rows: merged,
    missing: requiredStacks.filter((s) => !stacks.has(s)),
    denied: [
      ...scenarios.flatMap((s) => s.calls.filter((c) => !c.allowed).map((c) => `${s.name}: ${c.action} by ${c.role} (${c.session})`)),
      ...rows.filter((r) => r.calledNotGranted.length > 0).map((r) => `${r.stackId} ${r.kind}: called, not granted: ${r.calledNotGranted.join(", ")}`),
    ],
    unexplained: unexplainedGrants(rows),
    staleReasons: merged.flatMap((r) => r.calledDespiteReason.map((a) => `${r.stackId} ${r.kind}: ${a}`)),
  };
}

/** The report as text, and whether it passes. */
export function formatGrantsReport(report: GrantsReport): { text: string; ok: boolean } {
  const section = (title: string, lines: readonly string[]) => (lines.length ? [`${title}:`, ...lines.map((l) => `  ${l}`), ""] : []);
  const text = [
    `granted vs called: ${report.rows.length} documents`,
    "",
    formatGrantTable(report.rows),
    ...section("FAILED: no recorded rehearsal of these stacks (run the deploy scenarios first)", report.missing),
    ...section("FAILED: denied calls", report.denied),
    ...section("FAILED: granted, never called, and no reason in lib/iam/grants.ts (notExercised)", report.unexplained),
    ...section("FAILED: called, though the grant says it is not exercised (remove the stale notExercised)", report.staleReasons),
  ].join("\n");
  const ok = [report.missing, report.denied, report.unexplained, report.staleReasons].every((l) => l.length === 0);
  return { text, ok };
}

/** `node scripts/run-ts.js scripts/ci/report.ts grants <calls>`: the report step after the deploy scenarios. */
export const grantsCommand = defineCommand(
  {
    name: "grants",
    runAs: "node scripts/run-ts.js scripts/ci/report.ts grants",
    summary:
      "Sets every stack's generated documents against the calls its sessions made in the recorded enforced rehearsals under\n" +
      "<calls>: every call granted, every grant called in some scenario or explained in lib/iam/grants.ts, no stale reason.",
    positionals: [{ name: "calls", description: "the folder the deploy scenarios record into (test/scenarios/.calls)" }],
    options: { require: { type: "string", multiple: true, value: "STACK", description: "a stack whose rehearsal must be among the records" } },
  },
  async ({ positionals, values }, io) => {
    const { text, ok } = formatGrantsReport(grantsReport(loadRecordedScenarios(positionals.calls), values.require ?? []));
    io.stdout(text);
    return ok ? 0 : 1;
  },
);
