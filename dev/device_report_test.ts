// deno-lint-ignore-file no-explicit-any -- the report is plain JSON read back field by field
/**
 * The device check's JSON assembler on the files of a real dry run on the
 * software adapter (fixtures/device/dry-run-software), and on missing files.
 */
import assert from "node:assert/strict";
import { assembleDeviceReport, gpuSlug, parseConform, readDeviceFiles } from "./device_report.ts";

const DRY = new URL("../fixtures/device/dry-run-software/", import.meta.url).pathname;

Deno.test("device report: the dry run's files become one JSON with every stage's numbers", async () => {
  const files = await readDeviceFiles(DRY);
  const r = assembleDeviceReport(files, "2026-12-05") as Record<string, any>;
  assert.equal(r.gpu, "software");
  assert.match(r.what, /dry run on a software adapter, not a GPU measurement/);
  assert.equal(r.adapter.isFallbackAdapter, true);
  assert.equal(r.limits.maxStorageBufferBindingSize, 134217728);
  assert.equal(r.preflight.env.DENO_WEBGPU_BACKEND, "gl");
  assert.equal(r.probe.rows, 82);
  assert.equal(Object.keys(r.probe.gflops).length, 8);
  assert.deepEqual(r.conformance.map((c: { case: string; pass: boolean }) => [c.case, c.pass]), [
    ["tiny-learned-noemb", true],
    ["tiny-rope", true],
  ]);
  assert.equal(r.conformance[1].max_err, 5.81e-5);
  assert.equal(r.conformance_pass, true);
  assert.equal(r.ours.config, "tiny");
  assert.equal(r.ours.backend, "webgpu");
  assert.equal(r.ours.batch, 4);
  assert.equal(r.torch_fp32.dtype, "float32");
  assert.equal(r.torch_bf16.dtype, "bfloat16-autocast");
  // Ratios are PyTorch's time over ours (throughput ours / theirs).
  assert.equal(r.ratios.train_vs_torch_fp32, r.torch_fp32.train_step_s / r.ours.train_step_s);
  assert.equal(r.ratios.unroll_vs_torch_bf16, r.torch_bf16.eval_unroll_s / r.ours.eval_unroll_s);
  assert.equal(r.meets_goal, r.ratios.train_vs_torch_fp32 >= 0.3);
  assert.deepEqual(r.stages.map((s: { stage: string }) => s.stage), [
    "preflight",
    "probe",
    "conform-tiny-learned-noemb",
    "conform-tiny-rope",
    "webgpu-bench",
    "torch-fp32",
    "torch-bf16",
  ]);
  assert.ok(r.stages.every((s: { exit: number }) => s.exit === 0));
  assert.equal(r.driver, null);
});

Deno.test("device report: missing stages stay null; a failed conformance and a GPU name", () => {
  const r = assembleDeviceReport({
    conform: { a: "x\nconform a: max_err=2.5e-2 FAIL\n", b: "error: webgpu validation error" },
    probe: { adapter: { description: "NVIDIA H100 80GB HBM3", isFallbackAdapter: false } },
    nvidiaSmi: "| NVIDIA-SMI 550.1   Driver Version: 550.1   CUDA Version: 12.4 |\n",
  }, "2026-12-06") as Record<string, any>;
  assert.equal(r.gpu, "nvidia-h100-80gb-hbm3");
  assert.equal(r.ours, null);
  assert.equal(r.ratios.train_vs_torch_fp32, null);
  assert.equal(r.meets_goal, null);
  assert.equal(r.conformance_pass, false);
  assert.deepEqual(r.conformance[0], {
    case: "a",
    max_err: 0.025,
    pass: false,
    line: "conform a: max_err=2.5e-2 FAIL",
  });
  assert.equal(r.conformance[1].max_err, null);
  assert.equal(r.conformance[1].line, "error: webgpu validation error");
  assert.match(r.driver, /Driver Version: 550\.1/);
  assert.equal(gpuSlug(undefined, false), "unknown");
  assert.equal(parseConform("c", "").pass, false);
});
