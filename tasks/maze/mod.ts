/**
 * The Maze-Hard task (30x30 random-wall mazes, shortest path longer than 110):
 * registers `maze` with the task registry (build, verify, scores of saved
 * outputs, example pictures) and re-exports what other areas use (scoring of
 * saved predictions, SVG rendering, the labelling rule).
 * @module
 */
import { registerTask, type Task, type VerifyReport } from "../task.ts";
import { buildMaze } from "./build.ts";
import { mazeExampleSvg } from "./example_svg.ts";
import { parseBuildArgs } from "./options.ts";
import { scoreMazeOutputs } from "./score_outputs.ts";
import { verifyMaze } from "./verify.ts";

export { checkPath, type MazeScore, type PathVerdict, scoreMazePredictions } from "./score.ts";
export { type MazeSvgOptions, renderMazeSvg } from "./render.ts";
export { solve } from "./bfs.ts";
export { CHARSET, decodeGrid, gridToLines } from "./grid.ts";

/** The maze task. */
export const mazeTask: Task = {
  name: "maze",
  description: "Maze-Hard: 30x30 random-wall mazes, shortest path > 110 (generate or import CSV)",
  async build(args: string[]): Promise<void> {
    const opts = parseBuildArgs(args);
    if (opts) await buildMaze(opts);
  },
  verify(dir: string): Promise<VerifyReport> {
    return verifyMaze(dir);
  },
  headlineMetric: "exact_accuracy",
  scoreOutputs: scoreMazeOutputs,
  renderExample: mazeExampleSvg,
};

registerTask(mazeTask);
