import { Testing } from "cdktf";
import { removeAfterFile, removeTempDirs, tempDir } from "./helpers";

Testing.setupJest();

// cdktf's Testing.app() (so also Testing.synthScope()) and Testing.fullSynth()
// make a temporary output folder with mkdtemp and never remove it: about 50
// were left behind by every run of the suite. Here they are removed with the
// test file's other temporary folders.
const testingApp = Testing.app.bind(Testing);
Testing.app = (options = {}) => testingApp({ ...options, outdir: options.outdir ?? tempDir("cdktf-app-") });
const fullSynth = Testing.fullSynth.bind(Testing);
Testing.fullSynth = (stack) => removeAfterFile(fullSynth(stack));

afterAll(removeTempDirs);
