/** Wiring only: build the stack, synthesize. */
import { App } from "cdktf";
import { buildApp } from "./stack";

const app = new App();
buildApp(app);
app.synth();
