/**
 * The PyTorch TRM peer must compute what the official TRM code computes: the
 * evaluation logits of every segment, the loss and every weight after two
 * training updates, and the EMA shadow, on the three shared TRM golden cases;
 * and the official parameter counts at the README's sizes. Skipped when no
 * Python with torch is installed (CI).
 */
import assert from "node:assert/strict";
import { type PeerCheck, runPeerJson } from "./testing.ts";
import { findPeerPython, peerScript } from "../peer.ts";
import { BENCH_CONFIGS } from "../configs.ts";

const python = await findPeerPython();
const script = new URL("./trm_torch.py", import.meta.url).pathname;

Deno.test("TRM configurations run the TRM peer, the others the HRM peer", () => {
  assert.equal(peerScript(BENCH_CONFIGS["sudoku-trm-mlp"]), script);
  assert.match(peerScript(BENCH_CONFIGS["sudoku-paper"]), /hrm_torch\.py$/);
});

for (const name of ["trm-att-rope", "trm-mlp", "trm-att-learned"]) {
  Deno.test({
    name: `PyTorch TRM peer matches the official TRM case ${name}`,
    ignore: python === undefined,
    fn: async () => {
      const dir = new URL(`../../fixtures/trm-reference/${name}`, import.meta.url).pathname;
      const r = await runPeerJson<PeerCheck>(python!, script, ["--check", dir, "--threads", "1"]);
      const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
      assert.equal(r.parameters, config.derived.num_params);
      assert.ok(r.eval_max_rel_diff <= 1e-4, `eval ${r.eval_max_rel_diff}`);
      assert.ok(r.train_max_rel_diff <= 1e-3, `train ${r.train_max_rel_diff}`);
      assert.ok(r.ema_max_rel_diff! <= 1e-5, `ema ${r.ema_max_rel_diff}`);
      assert.equal(r.ok, true);
    },
  });
}

Deno.test({
  name: "PyTorch TRM peer: the official parameter counts at the bench's paper sizes",
  ignore: python === undefined,
  fn: async () => {
    const counts: [string, number][] = [["sudoku-trm-mlp", 5028866], ["sudoku-trm-att", 6828034]];
    for (const [name, count] of counts) {
      const r = await runPeerJson<{ parameters: number }>(python!, script, [
        "--bench",
        "--config",
        JSON.stringify({
          ...BENCH_CONFIGS[name].model,
          halt_max_steps: 1,
          H_cycles: 1,
          L_cycles: 1,
        }),
        "--batch",
        "1",
        "--train-steps",
        "0",
        "--warmup",
        "0",
        "--eval-runs",
        "0",
        "--threads",
        "1",
      ]);
      assert.equal(r.parameters, count, name);
    }
  },
});
