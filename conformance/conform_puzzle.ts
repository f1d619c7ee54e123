/**
 * Checks of the puzzle-embedding tensors of a training step against the golden
 * files, robust to the reference's in-place buffers (see checkPuzzleStep).
 * @module
 */
import type { HostTensor } from "../io/dtypes.ts";
import { compare, type Comparison } from "./compare.ts";
import type { OptimConfig } from "../model/config.ts";
import { PUZZLE_EMB } from "../model/state.ts";

/**
 * The puzzle-embedding tensors of a training step need care: the reference
 * keeps `local_ids` and the gradient of `local_weights` in buffers it
 * overwrites in place, so a dump taken later can hold another step's values.
 * When a golden value contradicts the golden's own SignSGD update (rows that
 * changed between `before` and `after`, and lr * sign(g) in those rows), the
 * comparison is made against what that update implies instead, and noted.
 */
export function checkPuzzleStep(
  golden: Map<string, HostTensor>,
  optim: OptimConfig,
  nd: number,
  step: string,
  before: HostTensor,
  after: HostTensor,
  oursIds: Int32Array,
  oursGrad: Float32Array,
  out: Comparison[],
): void {
  const idsKey = `${step}.puzzle_emb.local_ids`;
  const gradKey = `${step}.grad.${PUZZLE_EMB.replace(".weights", ".local_weights")}`;
  const bw = before.data as Float32Array;
  const aw = after.data as Float32Array;
  const rows = bw.length / nd;
  // Rows the golden update touched, and sign(g) it implies.
  const touched: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < nd; j++) {
      if (bw[r * nd + j] !== aw[r * nd + j]) {
        touched.push(r);
        break;
      }
    }
  }
  const lr = optim.puzzle_emb_lr;
  const decay = Math.fround(1 - lr * optim.puzzle_emb_weight_decay);
  const impliedSign = (r: number, j: number) =>
    Math.round((Math.fround(bw[r * nd + j] * decay) - aw[r * nd + j]) / lr);
  // Ours: sign of the gradient summed over duplicate ids.
  const summed = new Map<number, Float64Array>();
  oursIds.forEach((id, i) => {
    const acc = summed.get(id) ?? new Float64Array(nd);
    for (let j = 0; j < nd; j++) acc[j] += oursGrad[i * nd + j];
    summed.set(id, acc);
  });

  const refIds = golden.get(idsKey);
  if (refIds) {
    const cmp = compare(idsKey, refIds, { kind: "int", data: oursIds });
    const refSet = [...new Set(Array.from(refIds.data as Int32Array))].sort((a, b) => a - b);
    if (!cmp.pass && refSet.join() !== touched.join()) {
      const ourSet = [...summed.keys()].sort((a, b) => a - b);
      const ok = ourSet.join() === touched.join();
      out.push({
        key: idsKey,
        err: ok ? 0 : Infinity,
        pass: ok,
        exact: true,
        note: `golden ids [${
          Array.from(refIds.data as Int32Array)
        }] contradict the golden update (rows [${touched}] changed); ours [${oursIds}] ${
          ok ? "match" : "do not match"
        } the update`,
      });
    } else out.push(cmp);
  }
  const refGrad = golden.get(gradKey);
  if (refGrad) {
    const cmp = compare(gradKey, refGrad, { kind: "float", data: oursGrad });
    const refAllZero = (refGrad.data as Float32Array).every((x) => x === 0);
    const updateHasSigns = touched.some((r) => {
      for (let j = 0; j < nd; j++) if (impliedSign(r, j) !== 0) return true;
      return false;
    });
    if (!cmp.pass && refAllZero && updateHasSigns) {
      let bad = 0;
      let total = 0;
      for (const r of touched) {
        const g = summed.get(r);
        for (let j = 0; j < nd; j++) {
          total++;
          if ((g ? Math.sign(g[j]) : 0) !== impliedSign(r, j)) bad++;
        }
      }
      out.push({
        key: gradKey,
        err: bad ? Infinity : 0,
        pass: bad === 0,
        exact: true,
        note: `golden gradient is all zero but the golden update moved rows by lr*sign(g); ` +
          `sign of our summed gradient ${
            bad ? `differs in ${bad}/${total}` : `matches in all ${total}`
          } entries`,
      });
    } else out.push(cmp);
  }
}
