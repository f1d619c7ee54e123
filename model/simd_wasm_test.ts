/**
 * The committed GEMM bytes (model/simd_wasm.ts) are model/simd_wat.ts
 * assembled: nobody can change the kernel's behaviour without its source.
 */
import assert from "node:assert/strict";
import { assembleSimd, simdWasmSource } from "../scripts/build_simd_wasm.ts";

Deno.test("model/simd_wasm.ts is model/simd_wat.ts assembled (run scripts/build_simd_wasm.ts)", async () => {
  const committed = await Deno.readTextFile(new URL("./simd_wasm.ts", import.meta.url));
  assert.equal(committed, simdWasmSource(await assembleSimd()));
});
