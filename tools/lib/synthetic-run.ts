// Entry point for the benchmark's SDK floors: same runner as render, no render work after it. Runs the
// synthetic program (b), or with REPLAY_RESOURCES set the replay of a render's resources (c).
import * as path from "node:path";
import { runProgram } from "./mock-runtime";

runProgram({ stack: "bench", file: "", config: {}, secretKeys: [] }, { entry: path.join(__dirname, process.env.REPLAY_RESOURCES ? "replay-program.ts" : "synthetic-program.ts") }).then((r) => {
  if (r.error) throw r.error;
  console.log(`${r.resources.length} resources`);
});
