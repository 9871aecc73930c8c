/**
 * What the producer and consumer stacks share: one aliased AWS provider
 * pinned to the stack's account, the check that binds every AWS block to it,
 * the state backend, and a cheaper cross-stack preparation (stacks/prepare.ts).
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { RequireAliasedAwsProvider } from "../modules/provider-binding";
import { type StateBackend, configureBackend } from "./backend";
import { prepareTokens } from "./prepare";

/**
 * The session name a stack's provider assumes its role with, as CloudTrail
 * shows it: `redshift-endpoints-<stackId>`, cut to STS's 64 characters. The
 * deploy guards and the rehearsal's call logs read sessions by this name.
 */
export const deploySessionName = (stackId: string): string => `redshift-endpoints-${stackId}`.slice(0, 64);

export interface AccountStackProps {
  /** AWS region of every resource in the stack. */
  readonly region: string;
  /** The only account this stack may change; pinned in the provider's allowed_account_ids. */
  readonly accountId: string;
  /**
   * Role the provider assumes.
   * @default the ambient credentials (or the workspace's dynamic credentials)
   */
  readonly roleArn?: string;
  /** Tags on every resource: project defaults, then the environment's, then the stack's. */
  readonly defaultTags: Readonly<Record<string, string>>;
  /** Where the stack's state lives. */
  readonly backend: StateBackend;
  /**
   * The hashicorp/aws version constraint written into the stack, for an
   * engine whose provider mirror holds another version than the bindings'.
   * @default the version @cdktf/provider-aws was generated for
   */
  readonly awsProviderVersion?: string;
}

export abstract class AccountStack extends TerraformStack {
  /** The stack's one AWS provider. Every AWS block in the stack must use it. */
  public readonly provider: AwsProvider;

  protected constructor(scope: Construct, id: string, alias: "producer" | "consumer", props: AccountStackProps) {
    super(scope, id);
    configureBackend(this, props.backend);
    this.provider = new AwsProvider(this, "aws", {
      alias,
      region: props.region,
      allowedAccountIds: [props.accountId],
      assumeRole: props.roleArn ? [{ roleArn: props.roleArn, sessionName: deploySessionName(id) }] : undefined,
      defaultTags: [{ tags: { ...props.defaultTags } }],
    });
    RequireAliasedAwsProvider.on(this, this.provider);
    if (props.awsProviderVersion !== undefined) this.addOverride("terraform.required_providers.aws.version", props.awsProviderVersion);
  }

  /** cdktf's preparation, resolving only the values that can hold a token; the output is identical. */
  public prepareStack(): void {
    prepareTokens(this);
  }
}
