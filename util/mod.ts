/**
 * # Utilities every layer uses
 *
 * The seeded random generator (`Rng`, the only source of randomness in the
 * project), command-line helpers, progress lines, XML escaping, the vega-lite to SVG renderer and the one
 * formatter of schema errors.
 *
 * ```ts
 * import { Rng } from "./mod.ts";
 * const a = new Rng(7), b = new Rng(7);
 * if (a.uniform() !== b.uniform()) throw new Error("same seed, same draws");
 * ```
 * @module
 */
export { deriveSeed, Rng, type RngState, seedWords } from "./rng.ts";
export { issueLine, quotedField } from "./zod_error.ts";
export { type ParsableCommand, parseCli, runCli } from "./cli.ts";
export { formatDuration, Progress, type ProgressOptions } from "./progress.ts";
export { escapeXml } from "./xml.ts";
export { type PlotRow, renderVegaLite } from "./vega_svg.ts";
export { runInLanes, runJobs, serveJobs, serveRequests, WorkerClient } from "./workers.ts";
