import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../backends/select.ts";
import { testOnBackends } from "../backends/testing.ts";
import * as hrm from "./mod.ts";

const small = {
  batch_size: 3,
  seq_len: 6,
  vocab_size: 5,
  num_puzzle_identifiers: 4,
  puzzle_emb_ndim: 10, // pads to one position of 16
  hidden_size: 16,
  num_heads: 2,
  expansion: 2,
  H_layers: 1,
  L_layers: 1,
  H_cycles: 2,
  L_cycles: 2,
  halt_max_steps: 3,
  halt_exploration_prob: 0.5,
};

function batchOf(seed: number, rows = 3, seq = 6): hrm.Batch {
  const r = new hrm.Rng(seed);
  const inputs = Int32Array.from({ length: rows * seq }, () => r.int(5));
  const labels = Int32Array.from(inputs, (x, i) => (i % 4 === 3 ? -100 : (x + 1) % 5));
  return hrm.batchOf({
    inputs,
    labels,
    puzzleIdentifiers: Int32Array.from({ length: rows }, () => r.int(4)),
  });
}

async function run(config: hrm.ModelConfigInput, steps: number, seed = 1) {
  const model = hrm.createModel(config, seed);
  const trainer = hrm.createTrainer(
    model,
    hrm.parseOptimConfig({ lr: 1e-2, puzzle_emb_lr: 1e-2 }),
    seed,
  );
  let carry = hrm.initialCarry(model, 3);
  const counts: number[] = [];
  const losses: number[] = [];
  const halted: number[][] = [];
  for (let s = 1; s <= steps; s++) {
    const r = await hrm.trainStep(trainer, carry, batchOf(s), { lr: 1e-2, puzzleEmbLr: 1e-2 });
    carry = r.carry;
    counts.push(tf.memory().numTensors);
    losses.push(r.loss);
    halted.push([...r.carry.halted]);
    assert.ok(Number.isFinite(r.loss));
  }
  const emb = model.puzzleEmb?.slice();
  hrm.disposeCarry(carry);
  hrm.disposeTrainer(trainer);
  hrm.disposeState(model);
  return { counts, losses, halted, emb };
}

testOnBackends("step: training steps do not leak tensors and are deterministic", async () => {
  const a = await run(small, 5);
  assert.equal(new Set(a.counts).size, 1, `live tensors per step: ${a.counts}`);
  const b = await run(small, 5);
  assert.deepEqual(b.losses, a.losses);
  assert.deepEqual(b.halted, a.halted);
  // Some puzzle-embedding rows were trained (they start at zero).
  assert.ok(a.emb!.some((x) => x !== 0));
}, { only: ["cpu", "wasm"] });

testOnBackends("step: training reduces the loss on a fixed batch", async () => {
  const model = hrm.createModel({ ...small, halt_max_steps: 1 }, 3);
  const trainer = hrm.createTrainer(model, hrm.parseOptimConfig({}), 3);
  let carry = hrm.initialCarry(model, 3);
  const batch = batchOf(9);
  const losses: number[] = [];
  for (let s = 0; s < 12; s++) {
    const r = await hrm.trainStep(trainer, carry, batch, { lr: 3e-3, puzzleEmbLr: 3e-3 });
    carry = r.carry;
    // halt_max_steps = 1: every row halts every step, no Q target.
    assert.deepEqual([...r.carry.halted], [1, 1, 1]);
    assert.equal(r.targetQContinue, undefined);
    losses.push(r.metrics.lm_loss);
  }
  assert.ok(losses[11] < 0.7 * losses[0], `lm loss ${losses[0]} -> ${losses[11]}`);
  hrm.disposeCarry(carry);
  hrm.disposeTrainer(trainer);
  hrm.disposeState(model);
}, { only: ["wasm"] });

testOnBackends("step: transformer baseline trains a step and predicts in one pass", async () => {
  const config = {
    ...small,
    arch: "transformer" as const,
    transformer_layers: 2,
    halt_max_steps: 1,
  };
  const model = hrm.createModel(config, 5);
  assert.equal(model.params.size, 4 + 2 * 4);
  assert.ok(
    [...model.params.keys()].every((k) => !k.includes("H_level") && !k.includes("L_level")),
  );
  const trainer = hrm.createTrainer(model, hrm.parseOptimConfig({}), 5);
  const before = await model.params.get("model.inner.net.layers.1.mlp.down_proj.weight")!.data();
  const r = await hrm.trainStep(trainer, hrm.initialCarry(model, 3), batchOf(2), {
    lr: 1e-3,
    puzzleEmbLr: 1e-3,
  });
  const after = await model.params.get("model.inner.net.layers.1.mlp.down_proj.weight")!.data();
  assert.ok(after.some((x, i) => x !== before[i]));
  assert.equal(r.carry.zL, null);
  hrm.disposeCarry(r.carry);
  const ev = await hrm.evaluateBatch(model, batchOf(3));
  assert.equal(ev.segments, 1);
  assert.equal(ev.preds.length, 18);
  assert.equal(ev.metrics.count, 3);
  hrm.disposeTrainer(trainer);
  hrm.disposeState(model);
}, { only: ["cpu", "wasm"] });

testOnBackends("step: evaluation unrolls halt_max_steps segments", async () => {
  const model = hrm.createModel(small, 4);
  const seen: number[] = [];
  const ev = await hrm.evaluateBatch(model, batchOf(4), {
    returnLogits: true,
    onSegment: (r, i) => seen.push(i * 10 + r.carry.halted.reduce((a, b) => a + b, 0)),
  });
  assert.deepEqual(seen, [10, 20, 33]);
  assert.equal(ev.segments, 3);
  assert.equal(ev.logits!.length, 3 * 6 * 5);
  assert.equal(ev.qHalt.length, 3);
  assert.equal(ev.metrics.steps, 9);
  hrm.disposeState(model);
}, { only: ["cpu", "wasm"] });

Deno.test("step: bad batches are rejected with one clear line", async () => {
  await useBackend("cpu");
  const model = hrm.createModel(small, 1);
  const carry = hrm.initialCarry(model, 3);
  const bad = batchOf(1);
  bad.puzzleIdentifiers[0] = 9;
  await assert.rejects(() => hrm.evalStep(model, carry, bad), /puzzle identifier 9 outside 0..3/);
  await assert.rejects(
    () => hrm.evalStep(model, carry, { ...batchOf(1), inputs: new Int32Array(5) }),
    /inputs\/labels must have 3 x 6 = 18 entries/,
  );
  hrm.disposeCarry(carry);
  hrm.disposeState(model);
});

Deno.test("act: halting rule (max steps, Q comparison, exploration floor)", () => {
  const cfg = { halt_max_steps: 4, halt_exploration_prob: 0 };
  const steps = Int32Array.from([1, 1, 4, 2]);
  const qh = Float32Array.from([1, -1, -1, 0]);
  const qc = Float32Array.from([0, 0, 0, 0]);
  // Eval: only the step limit.
  assert.deepEqual([...hrm.haltDecision(cfg, steps, qh, qc, false)], [0, 0, 1, 0]);
  // Training: q_halt > q_continue also halts (ties do not).
  assert.deepEqual([...hrm.haltDecision(cfg, steps, qh, qc, true)], [1, 0, 1, 0]);
  // Exploration always on: min_halt in 2..4 stops row 0 (1 step) from halting early.
  const rng = new hrm.Rng(0);
  const explored = hrm.haltDecision({ ...cfg, halt_exploration_prob: 1 }, steps, qh, qc, true, rng);
  assert.equal(explored[0], 0);
  assert.equal(explored[2], 1);
  // halt_max_steps = 1: every row halts, in training too.
  assert.deepEqual(
    [...hrm.haltDecision({ halt_max_steps: 1, halt_exploration_prob: 1 }, steps, qh, qc, true)],
    [1, 1, 1, 1],
  );
  assert.throws(
    () => hrm.haltDecision({ ...cfg, halt_exploration_prob: 0.5 }, steps, qh, qc, true),
    /needs an rng/,
  );
});

testOnBackends(
  "step: save and restore (weights, optimizer, RNG, puzzle rows) resumes exactly",
  async () => {
    const opt = hrm.parseOptimConfig({ lr: 1e-2, puzzle_emb_lr: 1e-2 });
    const lrs = { lr: 1e-2, puzzleEmbLr: 1e-2 };
    const a = hrm.createModel(small, 8);
    const ta = hrm.createTrainer(a, opt, 8);
    let ca = hrm.initialCarry(a, 3);
    ca = (await hrm.trainStep(ta, ca, batchOf(1), lrs)).carry;
    hrm.disposeCarry(ca);
    // Checkpoint at a segment boundary with a fresh carry (as a trainer resuming from disk would).
    const weights = await hrm.stateDict(a);
    const adam = await ta.optimizer.exportState();
    const rngState = ta.rng.state();
    const b = hrm.stateFromDict(a.config, weights);
    const tb = hrm.createTrainer(b, opt, 999);
    tb.optimizer.importState(adam, "test");
    tb.rng = hrm.Rng.fromState(rngState);
    const run = async (m: hrm.ModelState, t: hrm.Trainer) => {
      let c = hrm.initialCarry(m, 3);
      const out: number[] = [];
      for (let s = 2; s <= 4; s++) {
        const r = await hrm.trainStep(t, c, batchOf(s), lrs);
        c = r.carry;
        out.push(r.loss, ...r.carry.halted);
      }
      hrm.disposeCarry(c);
      return out;
    };
    assert.deepEqual(await run(b, tb), await run(a, ta));
    assert.deepEqual(await hrm.stateDict(b), await hrm.stateDict(a));
    for (const t of [ta, tb]) hrm.disposeTrainer(t);
    for (const m of [a, b]) hrm.disposeState(m);
  },
  { only: ["wasm"] },
);

testOnBackends(
  "trainStep's guard undoes a non-finite step: no update, carry and RNG restored",
  async () => {
    const config = { ...small, halt_exploration_prob: 0.5 };
    const model = hrm.createModel(config, 4);
    const trainer = hrm.createTrainer(model, hrm.parseOptimConfig({ lr: 1e-2 }), 4);
    const lrs = { lr: 1e-2, puzzleEmbLr: 1e-2 };
    let carry = (await hrm.trainStep(trainer, hrm.initialCarry(model, 3), batchOf(1), lrs)).carry;
    // One puzzle-embedding row of NaN poisons the rows that use it, and so the loss.
    const bad = batchOf(2);
    const dim = model.config.puzzle_emb_ndim;
    model.puzzleEmb!.fill(
      NaN,
      bad.puzzleIdentifiers[0] * dim,
      (bad.puzzleIdentifiers[0] + 1) * dim,
    );
    const host = async () =>
      new Map(
        await Promise.all([...model.params].map(async ([k, p]) => [k, await p.data()] as const)),
      );
    const weights = await host();
    const rng = trainer.rng.state();
    const steps = carry.steps.slice(), halted = carry.halted.slice();
    const zH = await carry.zH.data();
    const r = await hrm.trainStep(trainer, carry, bad, lrs, { guardNonFinite: true });
    assert.equal(r.applied, false);
    assert.ok(!Number.isFinite(r.loss));
    carry = r.carry;
    assert.deepEqual(carry.steps, steps);
    assert.deepEqual(carry.halted, halted);
    assert.deepEqual(await carry.zH.data(), zH);
    assert.deepEqual(trainer.rng.state(), rng);
    assert.deepEqual(await host(), weights);
    // Without the guard the step is the reference's: the update is applied, NaN and all.
    const u = await hrm.trainStep(trainer, carry, bad, lrs);
    assert.equal(u.applied, true);
    assert.ok([...(await host()).values()].some((d) => d.some(Number.isNaN)));
    hrm.disposeCarry(u.carry);
    hrm.disposeTrainer(trainer);
    hrm.disposeState(model);
  },
);
