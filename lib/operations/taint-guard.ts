/**
 * The check `npm run deploy` makes before applying the consumer stacks: an
 * endpoint that an interrupted deploy left in state *tainted*.
 *
 * A deploy killed while AWS creates the endpoint, or one that outlives the
 * provider's fixed 10-minute wait, leaves the endpoint in state, tainted,
 * while AWS goes on creating it. A plain deploy would then replace it: AWS
 * refuses the delete while the endpoint is `creating`, and once it is
 * `active` the replacement costs a new network interface and address. So,
 * for each tainted endpoint, this check asks AWS for its status (in the
 * consumer's account, through the stack's own role) and:
 * - `active`: untaints it (`terraform untaint <address>` in the stack's
 *   folder, the README's manual procedure), so the deploy keeps it;
 * - `creating` or `modifying`: refuses the deploy, saying to wait and run it
 *   again, and applies nothing of the consumers;
 * - gone, `deleting` or `failed`: leaves it, and the deploy replaces it, which
 *   is the only way forward; it says so;
 * - status unreadable: refuses, with the error and the manual procedure.
 *
 * Pure except `resolveTaintedEndpoints` (the engine runs through an injected
 * runner) and `awsEndpointStatus` (the AWS SDK).
 */
import { DescribeEndpointAccessCommand } from "@aws-sdk/client-redshift";
import { type EngineRunner, engineStep } from "./adoption-guard";
import { deploySessionName } from "../../stacks/account-stack";
import { type StackTarget, awsClientFactory } from "../aws/clients";
import { isAwsError } from "../aws/errors";

/** A tainted endpoint in a stack's state. */
export interface TaintedEndpoint {
  /** Its address in the stack, e.g. `aws_redshift_endpoint_access.endpoint_F9556B44`. */
  readonly address: string;
  readonly endpointName: string;
}

interface RawStateResource {
  readonly module?: string;
  readonly mode?: string;
  readonly type?: string;
  readonly name?: string;
  readonly instances?: ReadonlyArray<{
    readonly status?: string;
    readonly index_key?: string | number;
    readonly attributes?: { readonly endpoint_name?: string; readonly id?: string };
  }>;
}

/** The tainted endpoints in a raw state (`terraform state pull`, format version 4); none for an empty state. */
export function taintedEndpoints(state: unknown): TaintedEndpoint[] {
  const resources = ((state as { resources?: RawStateResource[] } | null)?.resources ?? []).filter(
    (r) => r.mode === "managed" && r.type === "aws_redshift_endpoint_access",
  );
  return resources.flatMap((r) =>
    (r.instances ?? [])
      .filter((i) => i.status === "tainted")
      .map((i) => ({
        address: `${r.module ? `${r.module}.` : ""}${r.type}.${r.name}${i.index_key === undefined ? "" : `[${JSON.stringify(i.index_key)}]`}`,
        endpointName: i.attributes?.endpoint_name ?? i.attributes?.id ?? "",
      })),
  );
}

/** The endpoint's status in AWS (`EndpointStatus`), or undefined when AWS has no such endpoint. */
export type EndpointStatusLookup = (target: StackTarget, endpointName: string) => Promise<string | undefined>;

/** What to do with one tainted endpoint, given its status in AWS or the error reading it. */
export type TaintDecision =
  | { readonly action: "untaint"; readonly message: string }
  | { readonly action: "refuse"; readonly message: string }
  | { readonly action: "replace"; readonly message: string };

const README = "docs/runbooks.md: When the endpoint wait times out";

/** The decision for `endpoint` of `stack` in environment `envName`, whose AWS status is `status` (undefined: gone), or `error` when it could not be read. */
export function taintDecision(envName: string, stack: string, endpoint: TaintedEndpoint, status: string | undefined, error?: Error): TaintDecision {
  const what = `${stack}: endpoint ${endpoint.endpointName} (${endpoint.address}) is tainted in state: an earlier deploy stopped while AWS was creating it.`;
  if (error !== undefined)
    return {
      action: "refuse",
      message: [
        `Refusing to deploy ${stack}. ${what}`,
        `Reading its status in AWS failed: ${error.message}`,
        "Deploying now would replace it. Once `aws redshift describe-endpoint-access --endpoint-name " +
          `${endpoint.endpointName}\` shows active, run \`terraform untaint ${endpoint.address}\` in the stack's folder and deploy again (${README}).`,
        `Nothing of the consumer stacks was applied.`,
      ].join("\n"),
    };
  if (status === "active")
    return {
      action: "untaint",
      message: `> ${what} AWS reports it active, so this deploy untaints it and keeps it, instead of replacing it (${README}).`,
    };
  if (status === "creating" || status === "modifying")
    return {
      action: "refuse",
      message: [
        `Refusing to deploy ${stack}. ${what}`,
        `AWS still reports it ${status}. Deploying now would replace it (and AWS refuses to delete an endpoint while it is ${status}).`,
        `Wait until it is active (\`aws redshift describe-endpoint-access --endpoint-name ${endpoint.endpointName}\`), then run \`npm run deploy -- ${envName}\` again: it untaints the endpoint and keeps it.`,
        `Nothing of the consumer stacks was applied.`,
      ].join("\n"),
    };
  return {
    action: "replace",
    message: `> ${what} AWS reports it ${status ?? "gone"}, so it cannot be kept: this deploy replaces it.`,
  };
}

/**
 * Finds the tainted endpoints in the state of `stack` (its synthesized folder
 * `stackDir`: `init`, then `state pull`), and acts on each as `taintDecision`
 * says. Returns the refusal message, or undefined when the deploy may go on.
 * Throws Error with the engine's output when a step fails.
 */
export async function resolveTaintedEndpoints(options: {
  readonly envName: string;
  readonly stack: string;
  readonly target: StackTarget;
  readonly stackDir: string;
  readonly terraformBinary: string;
  readonly run: EngineRunner;
  readonly status: EndpointStatusLookup;
  readonly announce?: (line: string) => void;
}): Promise<string | undefined> {
  const step = (args: readonly string[]) => engineStep(options.run, options.terraformBinary, args, options.stackDir);
  await step(["init", "-input=false", "-no-color"]);
  const pulled = (await step(["state", "pull"])).trim();
  const tainted = pulled === "" ? [] : taintedEndpoints(JSON.parse(pulled));
  for (const endpoint of tainted) {
    let decision: TaintDecision;
    try {
      decision = taintDecision(options.envName, options.stack, endpoint, await options.status(options.target, endpoint.endpointName));
    } catch (e) {
      decision = taintDecision(options.envName, options.stack, endpoint, undefined, e as Error);
    }
    if (decision.action === "refuse") return decision.message;
    options.announce?.(decision.message);
    if (decision.action === "untaint") await step(["untaint", "-no-color", endpoint.address]);
  }
  return undefined;
}

/**
 * The real lookup: DescribeEndpointAccess in the stack's account, through its
 * role (session `redshift-endpoints-<stack>`, as its deploy), or the ambient
 * credentials when it has none. AWS's EndpointNotFound means gone.
 */
export const awsEndpointStatus: EndpointStatusLookup = async (target, endpointName) => {
  const clients = awsClientFactory({ roleSessionName: deploySessionName(target.stack) })(target);
  try {
    const out = await clients.redshift.send(new DescribeEndpointAccessCommand({ EndpointName: endpointName }));
    return out.EndpointAccessList?.[0]?.EndpointStatus;
  } catch (e) {
    if (isAwsError(e, "EndpointNotFound")) return undefined;
    throw e;
  } finally {
    clients.redshift.destroy();
    clients.sts.destroy();
    clients.ec2.destroy();
  }
};
