/**
 * The committed GEMM bytes (model/gemm_wasm.ts) are model/gemm_wat.ts
 * assembled: nobody can change the kernel's behaviour without its source.
 */
import assert from "node:assert/strict";
import { assembleGemm, gemmWasmSource } from "../scripts/build_gemm_wasm.ts";

Deno.test("model/gemm_wasm.ts is model/gemm_wat.ts assembled (run scripts/build_gemm_wasm.ts)", async () => {
  const committed = await Deno.readTextFile(new URL("./gemm_wasm.ts", import.meta.url));
  assert.equal(committed, gemmWasmSource(await assembleGemm()));
});
