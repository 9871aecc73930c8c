/** `npm run bench` and `npm run bench:deploy`: lib/bench/commands.ts. */
import { runMain } from "../../lib/cli/command";
import { benchCommand, benchDeployCommand } from "../../lib/bench/commands";

runMain({ synth: benchCommand, deploy: benchDeployCommand });
