/**
 * `npm run drift -- <env> [--json]`: lib/operations/drift.ts.
 * Against an emulator (AWS_ENDPOINT_URL), it runs the offline toolchain's engine (lib/rehearsal/engine.ts).
 */
import { runMain } from "../lib/cli/command";
import { driftCommand } from "../lib/operations/drift";
import { emulatorEngineSelection } from "../lib/rehearsal/engine";

runMain(driftCommand({ engineFor: emulatorEngineSelection }));
