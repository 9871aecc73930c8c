/** `npm run bench`, `npm run bench:deploy` and `npm run bench:drift`: lib/bench/commands.ts. */
import { runMain } from "../../lib/cli/command";
import { benchCommand, benchDeployCommand, benchDriftCommand } from "../../lib/bench/commands";

runMain({ synth: benchCommand, deploy: benchDeployCommand, drift: benchDriftCommand });
