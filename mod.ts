/**
 * Public API of the HRM reproduction harness, one namespace per layer, in the
 * order data flows: file formats -> tasks/datasets -> model -> training.
 *
 * ```ts
 * import { model, train, tasks } from "./mod.ts";
 * await model.useBackend("auto");
 * const m = model.createModel({ seq_len: 81, vocab_size: 11, num_puzzle_identifiers: 1 }, 0);
 * ```
 * @module
 */
export * as io from "./io/mod.ts";
export * as tasks from "./tasks/mod.ts";
export * as model from "./model/mod.ts";
export * as train from "./train/mod.ts";
