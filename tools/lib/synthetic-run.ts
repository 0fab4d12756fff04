// Entry point for the synthetic benchmark program: same runner as render, no render work after it.
import * as path from "node:path";
import { runProgram } from "./mock-runtime";

runProgram({ stack: "bench", file: "", config: {}, secretKeys: [] }, { entry: path.join(__dirname, "synthetic-program.ts") }).then((r) => {
  if (r.error) throw r.error;
  console.log(`${r.resources.length} resources`);
});
