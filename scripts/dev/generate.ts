/** `npm run generate [-- --check]`: lib/docs/generated.ts. */
import { runMain } from "../../lib/cli/command";
import { generateCommand } from "../../lib/docs/generated";

runMain(generateCommand);
