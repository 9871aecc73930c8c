/** `node scripts/run-ts.js scripts/ci/report.ts <report> ...`: the CI report steps (lib/reports, and granted-vs-called of lib/rehearsal). */
import { runMain } from "../../lib/cli/command";
import { grantsCommand } from "../../lib/rehearsal/granted-vs-called";
import { REPORT_COMMANDS } from "../../lib/reports/commands";

runMain({ ...REPORT_COMMANDS, grants: grantsCommand });
