/**
 * The committed GEMM bytes (backends/wasm/simd_bytes.ts) are backends/wasm/simd_source.ts
 * assembled: nobody can change the kernel's behaviour without its source.
 */
import assert from "node:assert/strict";
import { assembleSimd, simdWasmSource } from "./build_simd_bytes.ts";

Deno.test("backends/wasm/simd_bytes.ts is backends/wasm/simd_source.ts assembled (run backends/wasm/build_simd_bytes.ts)", async () => {
  const committed = await Deno.readTextFile(new URL("./simd_bytes.ts", import.meta.url));
  assert.equal(committed, simdWasmSource(await assembleSimd()));
});
