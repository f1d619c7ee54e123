import assert from "node:assert/strict";
import { gemmGflops } from "./calibrate.ts";

Deno.test("bench calibration: a finite, positive GEMM rate", () => {
  const g = gemmGflops(0.01, 1);
  assert.ok(Number.isFinite(g) && g > 0.1, `got ${g}`);
});
