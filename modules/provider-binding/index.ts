/**
 * Makes sure every AWS block in a stack lands in the account the stack is for.
 *
 * A stack whose only AWS provider is aliased still lets a resource without
 * `provider` fall back to Terraform's implicit default `aws` provider, which
 * uses whatever credentials are ambient: the wrong account. This validation
 * walks the finished tree and refuses any AWS resource or data source that is
 * not bound to the stack's own aliased provider, any second AWS provider, and
 * an aliased provider that does not pin `allowed_account_ids`.
 *
 * It is a validation, not an aspect that mutates: it reports, it never
 * silently rebinds, so the fix is made where the resource is declared.
 */
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformDataSource, TerraformProvider, TerraformResource, Token } from "cdktf";
import type { Construct, IValidation } from "constructs";

export class RequireAliasedAwsProvider implements IValidation {
  /**
   * @param scope the stack (or any subtree) to check
   * @param provider the one AWS provider every AWS block under `scope` must use
   */
  constructor(
    private readonly scope: Construct,
    private readonly provider: AwsProvider,
  ) {}

  /** Registers the check on `scope`. */
  static on(scope: Construct, provider: AwsProvider): void {
    scope.node.addValidation(new RequireAliasedAwsProvider(scope, provider));
  }

  validate(): string[] {
    const errors: string[] = [];
    const expected = this.provider;
    const expectedName = `aws.${expected.alias ?? "<no alias>"}`;
    if (!expected.alias) {
      errors.push(`AWS provider ${expected.node.path} has no alias; give it one so that no block can bind to it implicitly.`);
    }
    const accounts = expected.allowedAccountIds;
    if (!accounts || (!Token.isUnresolved(accounts) && accounts.length === 0)) {
      errors.push(
        `AWS provider ${expected.node.path} does not pin allowedAccountIds; set it to the stack's account so a wrong credential fails before any change.`,
      );
    }
    for (const node of this.scope.node.findAll()) {
      if (TerraformProvider.isTerraformProvider(node)) {
        if (node.terraformResourceType === "aws" && node !== expected) {
          errors.push(`${node.node.path}: a second AWS provider; every AWS block here must use ${expectedName}.`);
        }
        continue;
      }
      const isBlock = TerraformResource.isTerraformResource(node) || TerraformDataSource.isTerraformDataSource(node);
      if (!isBlock || !node.terraformResourceType.startsWith("aws_")) continue;
      if (!node.provider) {
        errors.push(
          `${node.node.path} (${node.terraformResourceType}) has no provider, so Terraform would use the implicit default AWS provider and the ambient credentials' account; set provider to ${expectedName}.`,
        );
      } else if (node.provider !== expected) {
        errors.push(`${node.node.path} (${node.terraformResourceType}) is bound to ${node.provider.node.path}; it must use ${expectedName}.`);
      }
    }
    return errors;
  }
}
