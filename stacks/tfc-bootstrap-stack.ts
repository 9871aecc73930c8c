/**
 * Terraform Cloud (HCP Terraform) bootstrap: the workspaces that hold the
 * state of every stack on a `cloud` backend, created before those stacks
 * are first deployed.
 *
 * One CLI-driven workspace per stack, named exactly as the stack's `cloud`
 * block names it (`<workspacePrefix>-<stackId>`, see ./backend.ts), with the
 * Terraform version pinned and remote execution. Global remote state is off:
 * a producer's state is readable only by its own consumers' workspaces, and
 * a consumer's state by no other workspace. With AWS dynamic credentials,
 * each workspace's runs assume their own stack's role.
 *
 * The stack keeps its own state in a local backend: the workspaces cannot
 * hold the state of the stack that creates them. The TFE token is never
 * configured here; the provider reads it from TFE_TOKEN or the Terraform CLI
 * credentials file (`terraform login`).
 */
import { DataTfeProject } from "@cdktf/provider-tfe/lib/data-tfe-project";
import { TfeProvider } from "@cdktf/provider-tfe/lib/provider";
import { Variable } from "@cdktf/provider-tfe/lib/variable";
import { Workspace } from "@cdktf/provider-tfe/lib/workspace";
import { WorkspaceSettings } from "@cdktf/provider-tfe/lib/workspace-settings";
import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { type CloudStateBackend, type StateBackend, configureBackend, workspaceName } from "./backend";

/** The bootstrap stack's id. It can never collide with `<env>-producer` or `<env>-consumer-<name>`. */
export const TFC_BOOTSTRAP_STACK_ID = "tfc-bootstrap";

/** Terraform version pinned on each workspace when the environment names none. */
export const DEFAULT_TERRAFORM_VERSION = "1.11.4";

/** One stack whose state lives in a workspace. */
export interface TfcStackWorkspace {
  /** The stack's id; its workspace is `<workspacePrefix>-<stackId>`. */
  readonly stackId: string;
  /**
   * The IAM role the workspace's runs assume through AWS dynamic credentials.
   * Required when the environment turns `awsDynamicCredentials` on.
   * @default none: the runs get AWS credentials some other way
   */
  readonly roleArn?: string;
}

/** One environment on a `cloud` backend: its producer and consumers, and the backend settings they share. */
export interface TfcEnvironment extends Omit<CloudStateBackend, "type"> {
  /** The environment's name, used in tags and in construct ids. */
  readonly name: string;
  /**
   * Terraform version pinned on every workspace of the environment.
   * @default "1.11.4" (DEFAULT_TERRAFORM_VERSION)
   */
  readonly terraformVersion?: string;
  /**
   * Give each workspace AWS dynamic provider credentials for its stack's roleArn
   * (TFC_AWS_PROVIDER_AUTH and TFC_AWS_RUN_ROLE_ARN). The stacks' AWS providers
   * must then not assume that role again.
   * @default false
   */
  readonly awsDynamicCredentials?: boolean;
  /** The producer stack: its state is readable by exactly this environment's consumers. */
  readonly producer: TfcStackWorkspace;
  /** The consumer stacks: their state is readable by no other workspace. */
  readonly consumers: readonly TfcStackWorkspace[];
}

export interface TfcBootstrapStackProps {
  /** Every environment whose stacks keep their state in Terraform Cloud. */
  readonly environments: readonly TfcEnvironment[];
  /** Where this stack's own state lives: a local backend, since the workspaces cannot hold it. */
  readonly backend: StateBackend;
}

export class TfcBootstrapStack extends TerraformStack {
  private readonly workspaces = new Map<string, Workspace>();
  private readonly providers = new Map<string, TfeProvider>();

  constructor(scope: Construct, id: string, props: TfcBootstrapStackProps) {
    super(scope, id);
    configureBackend(this, props.backend);
    for (const env of props.environments) this.addEnvironment(env);
  }

  /** The workspace that holds the state of stack `stackId`, if this stack manages it. */
  public workspaceFor(stackId: string): Workspace | undefined {
    return this.workspaces.get(stackId);
  }

  private addEnvironment(env: TfcEnvironment): void {
    const provider = this.providerFor(env.hostname);
    const dynamicCredentials = env.awsDynamicCredentials ?? false;
    const project =
      env.project === undefined ? undefined : new DataTfeProject(this, `project-${env.name}`, { provider, organization: env.organization, name: env.project });

    const workspace = (stack: TfcStackWorkspace, role: "producer" | "consumer"): Workspace => {
      if (dynamicCredentials && stack.roleArn === undefined) {
        throw new Error(
          `Environment ${env.name} turns awsDynamicCredentials on, but stack ${stack.stackId} has no roleArn; dynamic credentials need the role that the workspace's runs assume (TFC_AWS_RUN_ROLE_ARN).`,
        );
      }
      const ws = new Workspace(this, `workspace-${stack.stackId}`, {
        provider,
        name: workspaceName(env.workspacePrefix, stack.stackId),
        organization: env.organization,
        projectId: project?.id,
        description: `State and runs of cdktf stack ${stack.stackId} (${role}, environment ${env.name}). CLI-driven: deploy with cdktf.`,
        terraformVersion: env.terraformVersion ?? DEFAULT_TERRAFORM_VERSION,
        queueAllRuns: false,
        tags: { environment: env.name, role },
      });
      this.workspaces.set(stack.stackId, ws);
      if (dynamicCredentials && stack.roleArn !== undefined) {
        const variable = (id: string, key: string, value: string, description: string) =>
          new Variable(this, `${id}-${stack.stackId}`, { provider, workspaceId: ws.id, category: "env", key, value, description });
        variable("aws-provider-auth", "TFC_AWS_PROVIDER_AUTH", "true", "Runs get AWS credentials through dynamic provider credentials");
        variable("aws-run-role-arn", "TFC_AWS_RUN_ROLE_ARN", stack.roleArn, `Role of stack ${stack.stackId}, assumed by every run`);
      }
      return ws;
    };

    const producer = workspace(env.producer, "producer");
    const consumers = env.consumers.map((c) => workspace(c, "consumer"));

    const settings = (stack: TfcStackWorkspace, ws: Workspace, readers: readonly Workspace[]) =>
      new WorkspaceSettings(this, `workspace-settings-${stack.stackId}`, {
        provider,
        workspaceId: ws.id,
        executionMode: "remote",
        globalRemoteState: false,
        remoteStateConsumerIds: readers.map((r) => r.id),
      });
    settings(env.producer, producer, consumers);
    env.consumers.forEach((c, i) => {
      settings(c, consumers[i], []);
    });
  }

  /** One provider per host: `tfe` for the default host, `tfe_<host>` (aliased) for any other. */
  private providerFor(hostname: string | undefined): TfeProvider {
    const key = hostname ?? "";
    const existing = this.providers.get(key);
    if (existing) return existing;
    const provider =
      hostname === undefined
        ? new TfeProvider(this, "tfe", {})
        : new TfeProvider(this, `tfe-${hostname}`, { alias: `tfe_${hostname.replace(/[^A-Za-z0-9]/g, "_")}`, hostname });
    this.providers.set(key, provider);
    return provider;
  }
}
