/** `npm run parity:record -- --owner-profile P --grantee-profile P --region R (--cluster NAME | --create-cluster) [--yes]`: lib/operations/parity-record.ts. */
import { runMain } from "../lib/cli/command";
import { parityRecordCommand } from "../lib/operations/parity-record";

runMain(parityRecordCommand);
