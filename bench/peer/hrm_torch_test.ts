/**
 * The PyTorch peer must compute what the reference computes: evaluation logits
 * of every segment and the weights after two training updates, on the
 * reference fixtures. Skipped when no Python with torch is installed (CI).
 */
import assert from "node:assert/strict";
import { type PeerCheck, runPeerJson } from "./testing.ts";
import { findPeerPython } from "../peer.ts";

const python = await findPeerPython();
const script = new URL("./hrm_torch.py", import.meta.url).pathname;

for (const fixture of ["tiny-rope", "tiny-learned-noemb"]) {
  Deno.test({
    name: `PyTorch peer matches the reference fixture ${fixture}`,
    ignore: python === undefined,
    fn: async () => {
      const dir = new URL(`../../fixtures/hrm-reference/${fixture}`, import.meta.url).pathname;
      const r = await runPeerJson<PeerCheck>(python!, script, ["--check", dir, "--threads", "1"]);
      assert.ok(r.eval_max_rel_diff <= 1e-4, `eval ${r.eval_max_rel_diff}`);
      assert.ok(r.train_max_rel_diff <= 1e-3, `train ${r.train_max_rel_diff}`);
      assert.equal(r.ok, true);
    },
  });
}
