/** `npm run verify -- <env> [--connect] [--timeout-ms MS] [--json]`: lib/operations/verify.ts. */
import { runMain } from "../lib/cli/command";
import { verifyCommand } from "../lib/operations/verify";

runMain(verifyCommand);
