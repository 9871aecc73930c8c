/**
 * The check `npm run deploy` makes before applying a consumer stack whose
 * endpoint was adopted: a plan that would destroy or replace the endpoint
 * (a new network interface and address: every client loses its connection)
 * is refused, with why and what to do.
 *
 * Why a plan check and not `lifecycle { prevent_destroy = true }`: that
 * setting would also block the deliberate `npm run destroy`, and its message
 * is Terraform's generic one, which can name neither the attribute that
 * forces the replacement nor the adoption file nor the AZ runbook.
 *
 * Pure except `planStack`, which runs the engine through an injected runner.
 */
import * as path from "node:path";
import type { CapturedRunner } from "../cli/processes";

/** One planned destroy or replacement of an adopted endpoint. */
export interface EndpointReplacement {
  /** The resource address in the stack, e.g. `aws_redshift_endpoint_access.endpoint_endpoint_1A2B3C4D`. */
  readonly address: string;
  readonly endpointName: string;
  /** Terraform's actions: `["delete"]`, `["delete","create"]` or `["create","delete"]`. */
  readonly actions: readonly string[];
  /** The attributes that force the replacement, e.g. `subnet_group_name`. */
  readonly replacePaths: readonly string[];
  /** Terraform's reason, e.g. `replace_because_cannot_update`, `replace_by_triggers`, `delete_because_no_resource_config`. */
  readonly reason?: string;
}

interface PlanResourceChange {
  readonly address?: string;
  readonly type?: string;
  readonly action_reason?: string;
  readonly change?: {
    readonly actions?: readonly string[];
    readonly before?: { readonly endpoint_name?: string } | null;
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
}

/** The planned destroys and replacements of the endpoints named in `adoptedNames`, from `tofu show -json <plan>`. */
export function adoptedEndpointReplacements(planJson: unknown, adoptedNames: readonly string[]): EndpointReplacement[] {
  const changes = ((planJson as { resource_changes?: PlanResourceChange[] })?.resource_changes ?? []).filter(
    (c) => c.type === "aws_redshift_endpoint_access" && (c.change?.actions ?? []).includes("delete"),
  );
  return changes
    .filter((c) => adoptedNames.includes(c.change?.before?.endpoint_name ?? ""))
    .map((c) => ({
      address: c.address ?? "aws_redshift_endpoint_access",
      endpointName: c.change?.before?.endpoint_name ?? "",
      actions: c.change?.actions ?? [],
      replacePaths: (c.change?.replace_paths ?? []).map((p) => p.join(".")),
      ...(c.action_reason ? { reason: c.action_reason } : {}),
    }));
}

/** The refusal: what would happen, why it is refused, and what to do instead. */
export function refusalMessage(stack: string, adoptionFile: string, replacements: readonly EndpointReplacement[]): string {
  const lines = replacements.map((r) => {
    const what = r.actions.length === 1 ? "DESTROY" : "REPLACE";
    const why = r.replacePaths.length ? ` because ${r.replacePaths.join(", ")} would change` : r.reason ? ` (${r.reason})` : "";
    return `  - ${what} endpoint ${r.endpointName} (${r.address})${why}`;
  });
  return [
    `Refusing to deploy ${stack}: the plan would destroy or replace an endpoint adopted from what was built by hand.`,
    ...lines,
    "Destroying or replacing it gives it a new network interface and a new address: every client of the endpoint loses its connection.",
    "What to do:",
    `  - If the config drifted from what exists, make it match again: run npm run adopt -- <env> and review the difference in ${adoptionFile}, or undo the config change.`,
    "  - If you do mean to replace it (moving it to another AZ or to a managed single-subnet group), do it in a planned window: follow the AZ runbook (docs/runbooks.md),",
    `    and remove the endpoint's entry from ${adoptionFile} in the same reviewed change; the deploy then proceeds.`,
    "Nothing was applied.",
  ].join("\n");
}

/** Runs one engine command in `cwd` and returns its exit code and output. */
export type EngineRunner = CapturedRunner;

/**
 * Plans the synthesized stack in `stackDir` and returns its JSON plan:
 * `init`, `plan -out`, `show -json`. Throws Error with the engine's output
 * when a step fails (`engineStep`).
 */
export async function planStack(terraformBinary: string, stackDir: string, run: EngineRunner): Promise<unknown> {
  const planFile = "adoption-guard.tfplan"; // in stackDir, where the engine runs
  const steps: (readonly string[])[] = [
    ["init", "-input=false", "-no-color"],
    ["plan", "-input=false", "-lock=false", "-no-color", `-out=${planFile}`],
  ];
  for (const args of steps) await engineStep(run, terraformBinary, args, stackDir);
  return JSON.parse(await engineStep(run, terraformBinary, ["show", "-json", planFile], stackDir));
}

/**
 * Runs one engine command in `cwd` and returns its stdout. Throws Error
 * naming the command, the folder and the exit code, with the engine's output,
 * when it fails.
 */
export async function engineStep(run: EngineRunner, terraformBinary: string, args: readonly string[], cwd: string): Promise<string> {
  const out = await run(terraformBinary, args, cwd);
  if (out.exitCode !== 0)
    throw new Error(`${path.basename(terraformBinary)} ${args.join(" ")} in ${cwd} failed (exit ${out.exitCode}):\n${out.stderr || out.stdout}`);
  return out.stdout;
}
