/**
 * `npm run deploy|diff|destroy -- <env> [cdktf options]`: lib/operations/environment.ts.
 * Against an emulator (AWS_ENDPOINT_URL), cdktf drives the offline toolchain's engine (lib/rehearsal/engine.ts).
 */
import { runMain } from "../lib/cli/command";
import { environmentCommands } from "../lib/operations/environment";
import { emulatorEngineSelection } from "../lib/rehearsal/engine";

runMain(environmentCommands({ engineFor: emulatorEngineSelection }));
