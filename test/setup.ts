import { Testing } from "cdktf";
import { removeTempDirs } from "./helpers";

Testing.setupJest();
afterAll(removeTempDirs);
