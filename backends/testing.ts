/**
 * One helper that runs the same test body on every backend, as tfjs' own
 * `describeWithFlags` does. WebGPU runs on Mesa's software adapter when no GPU
 * is present, so it is included by default but can be skipped with
 * `HRM_TEST_BACKENDS=cpu,wasm`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, BACKENDS, useBackend } from "./select.ts";

/** Backends to test, from `HRM_TEST_BACKENDS` (comma list) or all of them. */
export function testBackends(): BackendName[] {
  const env = Deno.env.get("HRM_TEST_BACKENDS");
  if (!env) return [...BACKENDS];
  return env.split(",").map((s) => s.trim()).filter((s): s is BackendName =>
    (BACKENDS as readonly string[]).includes(s)
  );
}

export interface BackendTestOptions {
  /** Only these backends (intersected with `testBackends()`). */
  only?: BackendName[];
  /** Leak-check: fail if the body leaves tensors behind. Default true. */
  checkLeaks?: boolean;
  ignore?: boolean;
}

/** Registers `Deno.test("<name> [<backend>]")` for each selected backend. */
export function testOnBackends(
  name: string,
  body: (backend: BackendName) => void | Promise<void>,
  options: BackendTestOptions = {},
): void {
  const selected = testBackends().filter((b) => !options.only || options.only.includes(b));
  for (const backend of selected) {
    Deno.test({
      name: `${name} [${backend}]`,
      ignore: options.ignore,
      // tfjs keeps backend-wide resources (wasm module, GPU device) alive.
      sanitizeResources: false,
      sanitizeOps: false,
      fn: async () => {
        await useBackend(backend);
        const before = tf.memory().numTensors;
        await body(backend);
        if (options.checkLeaks ?? true) {
          const after = tf.memory().numTensors;
          if (after !== before) {
            throw new Error(`${name} [${backend}] leaked ${after - before} tensors`);
          }
        }
      },
    });
  }
}
