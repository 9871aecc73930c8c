/** `npm run rehearse -- <env> [options]`: lib/rehearsal/rehearse.ts. */
import { runMain } from "../lib/cli/command";
import { rehearseCommand } from "../lib/rehearsal/rehearse";

runMain(rehearseCommand);
