/** `npm run environments -- [--json] [--backend TYPE]... [--config FILE]`: lib/cli/environments.ts; the pipeline's matrix. */
import { runMain } from "../../lib/cli/command";
import { environmentsCommand } from "../../lib/cli/environments";

runMain(environmentsCommand);
