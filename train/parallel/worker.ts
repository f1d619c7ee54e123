/**
 * One data-parallel worker: its own TensorFlow.js instance (tfjs' wasm threads
 * do not run under Deno, but one tfjs per Deno Worker does), its own copy of
 * the model, the ACT carry of its rows of the batch, and the optimizer state
 * of its parameter shard. A step is model/step.ts `trainStep` with a
 * {@link ShardOptimizer}: the worker's gradients go to shared memory, the
 * coordinator decides whether the step stands, and each worker updates its
 * shard of the combined gradient and publishes it.
 * Driven by `parallel_model.ts`; every message is answered by one reply.
 * @module
 */
/// <reference lib="deno.worker" />
import * as tf from "@tensorflow/tfjs";
import type { HostTensor } from "../../io/mod.ts";
import {
  type AdamATan2Options,
  type AdamATan2State,
  type Carry,
  createTrainer,
  disposeCarry,
  disposeState,
  Ema,
  evaluateBatch,
  initialCarry,
  initModel,
  type ModelState,
  type OptimConfig,
  signSgdUpdate,
  stateDict,
  stateFromDict,
  type StepGradients,
  type StepLrs,
  type StepOptimizer,
  type Trainer,
  trainStep,
} from "../../model/mod.ts";
import {
  activeWasmBackend,
  type BackendName,
  readFloatsInto,
  useBackend,
  wasmHeapBytes,
} from "../../backends/mod.ts";
import { Rng, serveRequests } from "../../util/mod.ts";
import { carryFromHost, carryToHost } from "../exported_state.ts";
import { shardParams, type WorkerReply, type WorkerRequest } from "./protocol.ts";
import { HeapAdamATan2, HostAdamATan2 } from "./shard_adam.ts";

type ApplyMsg = Extract<WorkerRequest, { type: "apply" }>;

/**
 * AdamATan2 over this worker's shard of the parameters and SignSGD on the
 * puzzle rows of the whole batch. The shard's values live in the shared
 * parameter buffer, its moments on the wasm heap (SIMD) or in host arrays.
 */
class ShardOptimizer implements StepOptimizer {
  /** Per parameter (model.params order): key, offset in the slots, owner worker. */
  readonly layout: { key: string; offset: number; size: number; owner: number }[];
  private readonly momentOffsets = new Map<string, number>();
  private readonly shard: HeapAdamATan2 | HostAdamATan2;
  private readonly options: AdamATan2Options;
  /** The combined gradient of one parameter of the shard (sized for the largest, reused). */
  private readonly combined: Float32Array;
  private step = 0;
  /** True after an update until the other workers' shards are loaded. */
  private stale = false;
  /** The EMA of the whole model (`ema: true`); every worker keeps the same full copy. */
  readonly ema?: Ema;
  /** True after an applied step until the EMA is updated (once every shard is loaded). */
  private emaDue = false;
  /** Set while a step waits for the coordinator's `apply`. */
  private pending?: (msg: ApplyMsg) => void;
  /** Timings of the step in flight (ms). */
  timing = { segmentMs: 0, readMs: 0, applyMs: 0 };
  segmentStart = 0;

  constructor(
    private readonly model: () => ModelState,
    private readonly optim: OptimConfig,
    private readonly index: number,
    private readonly slots: Float32Array[],
    private readonly shared: Float32Array,
  ) {
    const entries = [...model().params];
    const owners = shardParams(entries.map(([, p]) => p.size), slots.length);
    let offset = 0;
    this.layout = entries.map(([key, p], i) => {
      const l = { key, offset, size: p.size, owner: owners[i] };
      offset += p.size;
      return l;
    });
    let shardSize = 0, largest = 0;
    for (const l of this.layout) {
      if (l.owner !== index) continue;
      this.momentOffsets.set(l.key, shardSize);
      shardSize += l.size;
      largest = Math.max(largest, l.size);
    }
    this.combined = new Float32Array(largest);
    const wasm = activeWasmBackend()?.wasm;
    this.shard = wasm ? new HeapAdamATan2(wasm, shardSize) : new HostAdamATan2(shardSize);
    this.options = { beta1: optim.beta1, beta2: optim.beta2, weightDecay: optim.weight_decay };
    if (optim.ema) this.ema = new Ema(model().params, optim.ema_rate);
    this.publish();
  }

  /** Restarts the EMA from the current weights (weights imported). */
  resetEma(): void {
    this.ema?.reset(this.model().params);
    this.emaDue = false;
  }

  /** Writes this worker's shard of the parameters to the shared buffer. */
  publish(): void {
    const m = this.model();
    for (const l of this.layout) {
      if (l.owner === this.index) {
        readFloatsInto(m.params.get(l.key)!, this.shared.subarray(l.offset, l.offset + l.size));
      }
    }
    this.stale = false;
  }

  /**
   * Loads the shards other workers updated (published in the shared parameter buffer), then
   * applies the EMA update of the last step: the same values as a one-process run's update
   * right after the optimizers, taken once the whole model is current.
   */
  sync(): void {
    const m = this.model();
    if (this.stale) {
      for (const l of this.layout) {
        if (l.owner === this.index) continue;
        const p = m.params.get(l.key)!;
        const t = tf.tensor(this.shared.subarray(l.offset, l.offset + l.size), p.shape);
        p.assign(t);
        t.dispose();
      }
      this.stale = false;
    }
    if (this.emaDue) {
      this.ema!.update(m.params);
      this.emaDue = false;
    }
  }

  /** Hands the coordinator's `apply` to the step waiting for it. */
  resume(msg: ApplyMsg): void {
    const p = this.pending;
    if (!p) throw new Error("'apply' without a step in flight");
    this.pending = undefined;
    p(msg);
  }

  async apply(g: StepGradients, lrs: StepLrs, _guard: boolean): Promise<boolean> {
    const t1 = performance.now();
    this.timing.segmentMs = t1 - this.segmentStart;
    const own = this.slots[this.index];
    for (const l of this.layout) {
      readFloatsInto(g.grads.get(l.key)!, own.subarray(l.offset, l.offset + l.size));
    }
    this.timing.readMs = performance.now() - t1;
    // The coordinator sees every worker's loss and decides whether the step stands.
    const decided = new Promise<ApplyMsg>((resolve) => (this.pending = resolve));
    self.postMessage(
      {
        type: "grads",
        puzzleGrad: g.puzzleGrad,
        puzzleIds: g.puzzleIds,
        loss: g.loss,
        ...this.timing,
      } satisfies WorkerReply,
    );
    const msg = await decided;
    const t2 = performance.now();
    if (!msg.proceed) return false;
    this.step++;
    // Every worker would combine the same slots in the same order; each does its shard.
    for (const l of this.layout) {
      if (l.owner !== this.index) continue;
      const out = this.combined.subarray(0, l.size);
      out.fill(0);
      msg.weights.forEach((w, i) => {
        const s = this.slots[i].subarray(l.offset, l.offset + l.size);
        for (let j = 0; j < out.length; j++) out[j] += w * s[j];
      });
      const values = this.shared.subarray(l.offset, l.offset + l.size);
      this.shard.update(
        this.momentOffsets.get(l.key)!,
        values,
        out,
        this.step,
        lrs.lr,
        this.options,
      );
      const p = this.model().params.get(l.key)!;
      const t = tf.tensor(values, p.shape);
      p.assign(t);
      t.dispose();
    }
    this.stale = true;
    this.emaDue = this.ema !== undefined;
    const m = this.model();
    if (m.puzzleEmb && msg.puzzleIds && msg.puzzleGrad) {
      signSgdUpdate(
        m.puzzleEmb,
        m.config.puzzle_emb_ndim,
        msg.puzzleIds,
        msg.puzzleGrad,
        lrs.puzzleEmbLr,
        this.optim.puzzle_emb_weight_decay,
      );
    }
    this.timing.applyMs = performance.now() - t2;
    return true;
  }

  exportState(): Promise<AdamATan2State> {
    const { m, v } = this.shard.moments();
    const tensors = new Map<string, HostTensor>();
    const params = this.model().params;
    for (const [key, at] of this.momentOffsets) {
      const p = params.get(key)!;
      const shape = [...p.shape];
      tensors.set(`m.${key}`, { dtype: "f32", shape, data: m.slice(at, at + p.size) });
      tensors.set(`v.${key}`, { dtype: "f32", shape, data: v.slice(at, at + p.size) });
    }
    return Promise.resolve({ step: this.step, tensors });
  }

  importState(s: AdamATan2State, where: string): void {
    const { m, v } = this.shard.moments();
    const params = this.model().params;
    for (const [key, at] of this.momentOffsets) {
      const size = params.get(key)!.size;
      for (const [name, dst] of [["m", m], ["v", v]] as const) {
        const h = s.tensors.get(`${name}.${key}`);
        if (!h) throw new Error(`${where}: missing '${name}.${key}'`);
        if (h.data.length !== size) {
          throw new Error(
            `${where}: '${name}.${key}' has ${h.data.length} values, expected ${size}`,
          );
        }
        dst.set(h.data as Float32Array, at);
      }
    }
    this.shard.setMoments(m, v);
    this.step = s.step;
  }

  dispose(): void {
    this.shard.dispose();
    this.ema?.dispose();
  }
}

let trainer: Trainer | undefined;
let shard: ShardOptimizer | undefined;
let carry: Carry | undefined;
let rows = 0;
let index = 0;

/**
 * Replays min_halt draws made by the coordinator in the single-process order
 * (per row: one uniform, one integer), so halting matches a one-process run.
 */
function replayRng(uniforms: Float64Array, ints: Int32Array): Rng {
  let u = 0;
  let i = 0;
  // An undone step restores the coordinator's generator, not this one: any state will do.
  const state = () => new Rng(0).state();
  return { uniform: () => uniforms[u++], int: () => ints[i++], state } as unknown as Rng;
}

function ready(): { t: Trainer; s: ShardOptimizer; c: Carry } {
  if (!trainer || !shard || !carry) throw new Error("worker not initialised");
  return { t: trainer, s: shard, c: carry };
}

async function handle(msg: WorkerRequest): Promise<WorkerReply> {
  switch (msg.type) {
    case "init": {
      const model = initModel(msg.config, msg.seed);
      // The trainer's model is replaced when weights are imported: always read it there.
      shard = new ShardOptimizer(
        () => trainer?.model ?? model,
        msg.optim,
        msg.index,
        msg.slots.map((sab) => new Float32Array(sab)),
        new Float32Array(msg.params),
      );
      // The exploration draws come from the coordinator (replayRng); this seed is unused.
      trainer = createTrainer(model, msg.optim, 0, shard);
      rows = msg.rows;
      carry = initialCarry(model, rows);
      return { type: "ready", backend: tf.getBackend() };
    }
    case "step": {
      const { t, s, c } = ready();
      s.sync();
      t.rng = replayRng(msg.uniforms, msg.ints);
      s.segmentStart = performance.now();
      const r = await trainStep(t, c, msg.batch, { lr: msg.lr, puzzleEmbLr: msg.puzzleEmbLr }, {
        guardNonFinite: msg.guard,
      });
      carry = r.carry;
      return {
        type: "stepped",
        applied: r.applied,
        loss: r.loss,
        metrics: r.metrics,
        applyMs: s.timing.applyMs,
      };
    }
    case "apply":
      throw new Error("'apply' is handled by the step in flight");
    case "eval": {
      const { t, s } = ready();
      s.sync();
      let qContinue: Float32Array | undefined;
      const r = await evaluateBatch(s.ema ? s.ema.evalModel(t.model) : t.model, msg.batch, {
        returnLogits: msg.logits,
        onSegment: msg.qContinue ? (seg) => (qContinue = seg.qContinue) : undefined,
      });
      return {
        type: "eval",
        preds: r.preds,
        qHalt: r.qHalt,
        logits: r.logits,
        qContinue,
        metrics: r.metrics,
        segments: r.segments,
      };
    }
    case "export": {
      const { t, s, c } = ready();
      s.sync();
      const adam = await s.exportState();
      return {
        type: "exported",
        weights: index === 0 ? await stateDict(t.model) : undefined,
        moments: adam.tensors,
        step: adam.step,
        carry: await carryToHost(c),
        ema: index === 0 ? await s.ema?.exportState() : undefined,
      };
    }
    case "import": {
      const { t, s } = ready();
      const fresh = stateFromDict(t.model.config, msg.weights, msg.where);
      disposeState(t.model);
      t.model = fresh;
      s.publish();
      s.resetEma();
      if (msg.ema?.size) s.ema?.importState(msg.ema, msg.where);
      if (msg.moments && msg.step !== undefined) {
        s.importState({ step: msg.step, tensors: msg.moments }, msg.where);
      }
      if (msg.carry) {
        const restored = carryFromHost(msg.carry, rows, msg.where);
        disposeCarry(carry!);
        carry = restored;
      }
      return { type: "imported" };
    }
    case "memory": {
      return { type: "memory", tfBytes: tf.memory().numBytes, heapBytes: wasmHeapBytes() };
    }
    case "close": {
      if (carry) disposeCarry(carry);
      if (trainer) {
        trainer.optimizer.dispose();
        disposeState(trainer.model);
      }
      carry = undefined;
      trainer = undefined;
      shard = undefined;
      return { type: "closed" };
    }
  }
}

let backendReady: Promise<unknown> | undefined;

serveRequests<WorkerRequest, WorkerReply>(
  async (msg) => {
    if (msg.type === "apply") {
      // Completes the step in flight, whose handler sends the reply.
      ready().s.resume(msg);
      return undefined;
    }
    if (msg.type === "init") {
      index = msg.index;
      backendReady ??= useBackend(msg.backend as BackendName);
      await backendReady;
    }
    return await handle(msg);
  },
  (reply) =>
    reply.type === "eval"
      ? [reply.preds.buffer as ArrayBuffer, reply.qHalt.buffer as ArrayBuffer]
      : [],
);
