/** `npm run parity:record -- --owner-profile P --grantee-profile P --region R (--cluster NAME | --create-cluster) [--yes]`: lib/rehearsal/parity.ts. */
import { runMain } from "../lib/cli/command";
import { parityRecordCommand } from "../lib/rehearsal/parity";

runMain(parityRecordCommand);
