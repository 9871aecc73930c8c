/** `npm run adopt -- <env>`: lib/operations/adopt.ts. */
import { runMain } from "../lib/cli/command";
import { adoptCommand } from "../lib/operations/adopt";

runMain(adoptCommand);
