/** `npm run iam-policies -- --out DIR [--config FILE]`: lib/iam/policies.ts. */
import { runMain } from "../lib/cli/command";
import { iamPoliciesCommand } from "../lib/iam/policies";

runMain(iamPoliciesCommand);
