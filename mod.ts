/**
 * Public API of the HRM reproduction harness, one namespace per layer, in the
 * order data flows: file formats -> tasks/datasets -> model -> training.
 *
 * ```ts
 * import { model } from "./mod.ts";
 * await model.useBackend("cpu"); // "auto": WebGPU on a hardware adapter, else wasm
 * const m = model.createModel(
 *   { batch_size: 1, seq_len: 81, vocab_size: 11, num_puzzle_identifiers: 1 },
 *   0,
 * );
 * if (model.countParams(m.config) <= 0) throw new Error("no parameters");
 * model.disposeState(m);
 * ```
 * @module
 */
export * as io from "./io/mod.ts";
export * as tasks from "./tasks/mod.ts";
export * as model from "./model/mod.ts";
export * as train from "./train/mod.ts";
