#!/usr/bin/env python3
"""A small float32 PyTorch HRM, the speed peer of `deno task bench`.

Written for this project from the published architecture (the official code
needs CUDA and FlashAttention): same modules, initialisation scales, one-step
gradient, ACT carry, Q-learning target pass, stablemax/softmax losses,
AdamATan2 on weights and SignSGD on the touched puzzle-embedding rows.
Attention is exact softmax attention (the maths FlashAttention computes).

Modes (one JSON object on stdout):
  --check FIXTURE_DIR   load params.safetensors, run the evaluation unroll on
                        batch1 and compare every segment's logits with
                        eval.safetensors (max |diff| / max |ref|).
  --bench               time training steps and evaluation unrolls for a
                        config given with --config (JSON of the reference's
                        field names) and --batch.
"""
import argparse
import contextlib
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

# The torch device of --bench ("cpu" unless --device says otherwise; set once in main()).
DEVICE = "cpu"

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32,
          "I64": torch.int64, "U8": torch.uint8}


def read_safetensors(path):
    """Reads a safetensors file into a dict of tensors (tiny format: u64 + JSON + data)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        buf = bytearray(raw[8 + n + start:8 + n + end])
        t = torch.frombuffer(buf, dtype=DTYPES[info["dtype"]]) if buf else torch.empty(0)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def trunc_normal_(t, std):
    """JAX-style truncated normal on [-2, 2] std with the std corrected for truncation."""
    with torch.no_grad():
        if std == 0:
            return t.zero_()
        lo, hi = -2.0, 2.0
        a, b = math.erf(lo / math.sqrt(2)), math.erf(hi / math.sqrt(2))
        z = (b - a) / 2  # probability mass inside [lo, hi]
        pdf = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)  # noqa: E731
        # Variance of a standard normal truncated to [lo, hi].
        var = 1 + (lo * pdf(lo) - hi * pdf(hi)) / z - ((pdf(lo) - pdf(hi)) / z) ** 2
        std_c = std / math.sqrt(var)
        t.uniform_(a, b).erfinv_().mul_(math.sqrt(2) * std_c).clamp_(lo * std_c, hi * std_c)
    return t


def linear_weight(out_f, in_f):
    return nn.Parameter(trunc_normal_(torch.empty(out_f, in_f), 1.0 / math.sqrt(in_f)))


def rms_norm(x, eps):
    return x * torch.rsqrt(x.square().mean(-1, keepdim=True) + eps)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope_tables(cfg, positions):
    """RoPE's (cos, sin) tables, [positions, head_dim], for the config's heads and rope_theta."""
    hd = cfg["hidden_size"] // cfg["num_heads"]
    inv = 1.0 / (cfg.get("rope_theta", 10000.0) ** (torch.arange(0, hd, 2).float() / hd))
    freqs = torch.outer(torch.arange(positions).float(), inv)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, heads = cfg["hidden_size"], cfg["num_heads"]
        inter = -(round(cfg["expansion"] * d * 2 / 3) // -256) * 256
        self.heads, self.eps = heads, cfg.get("rms_norm_eps", 1e-5)
        self.self_attn = nn.Module()
        self.self_attn.qkv_proj = nn.Module()
        self.self_attn.qkv_proj.weight = linear_weight(3 * d, d)
        self.self_attn.o_proj = nn.Module()
        self.self_attn.o_proj.weight = linear_weight(d, d)
        self.mlp = nn.Module()
        self.mlp.gate_up_proj = nn.Module()
        self.mlp.gate_up_proj.weight = linear_weight(2 * inter, d)
        self.mlp.down_proj = nn.Module()
        self.mlp.down_proj.weight = linear_weight(d, inter)

    def forward(self, x, cos_sin):
        b, s, d = x.shape
        qkv = F.linear(x, self.self_attn.qkv_proj.weight).view(b, s, 3, self.heads, d // self.heads)
        q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))  # [b, heads, s, hd]
        if cos_sin is not None:
            cos, sin = cos_sin
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), dim=-1)
        o = (att @ v).transpose(1, 2).reshape(b, s, d)
        x = rms_norm(x + F.linear(o, self.self_attn.o_proj.weight), self.eps)
        gate, up = F.linear(x, self.mlp.gate_up_proj.weight).chunk(2, dim=-1)
        return rms_norm(x + F.linear(F.silu(gate) * up, self.mlp.down_proj.weight), self.eps)


class Level(nn.Module):
    def __init__(self, cfg, n):
        super().__init__()
        self.layers = nn.ModuleList([Block(cfg) for _ in range(n)])

    def forward(self, z, injection, cos_sin):
        z = z + injection
        for layer in self.layers:
            z = layer(z, cos_sin)
        return z


class HRM(nn.Module):
    """The inner model; attribute names follow the reference's state-dict keys."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        d = cfg["hidden_size"]
        self.embed_scale = math.sqrt(d)
        self.embed_tokens = nn.Module()
        self.embed_tokens.embedding_weight = nn.Parameter(
            trunc_normal_(torch.empty(cfg["vocab_size"], d), 1 / self.embed_scale))
        self.lm_head = nn.Module()
        self.lm_head.weight = linear_weight(cfg["vocab_size"], d)
        self.q_head = nn.Module()
        self.q_head.weight = nn.Parameter(torch.zeros(2, d))
        self.q_head.bias = nn.Parameter(torch.full((2,), -5.0))
        self.emb_len = -(cfg["puzzle_emb_ndim"] // -d)
        if cfg["puzzle_emb_ndim"] > 0:
            self.puzzle_emb = nn.Module()
            # Sparse rows updated by SignSGD, not by AdamATan2: a buffer, not a parameter.
            self.puzzle_emb.register_buffer(
                "weights", torch.zeros(cfg["num_puzzle_identifiers"], cfg["puzzle_emb_ndim"]))
        positions = cfg["seq_len"] + self.emb_len
        if cfg["pos_encodings"] == "rope":
            self.cos_sin = rope_tables(cfg, positions)  # computed once
        else:
            self.cos_sin = None
            self.embed_pos = nn.Module()
            self.embed_pos.embedding_weight = nn.Parameter(
                trunc_normal_(torch.empty(positions, d), 1 / self.embed_scale))
        self.H_level = Level(cfg, cfg["H_layers"])
        self.L_level = Level(cfg, cfg["L_layers"])
        self.register_buffer("H_init", trunc_normal_(torch.empty(d), 1.0))
        self.register_buffer("L_init", trunc_normal_(torch.empty(d), 1.0))

    def embed(self, inputs, ids, emb_rows):
        e = F.embedding(inputs.long(), self.embed_tokens.embedding_weight)
        if self.emb_len > 0:
            d = self.cfg["hidden_size"]
            p = F.pad(emb_rows, (0, self.emb_len * d - emb_rows.shape[-1]))
            e = torch.cat((p.view(-1, self.emb_len, d), e), dim=-2)
        if self.cos_sin is None:
            e = 0.707106781 * (e + self.embed_pos.embedding_weight)
        return self.embed_scale * e

    def segment(self, zH, zL, x):
        c = self.cfg
        with torch.no_grad():
            for h in range(c["H_cycles"]):
                for l in range(c["L_cycles"]):
                    if not (h == c["H_cycles"] - 1 and l == c["L_cycles"] - 1):
                        zL = self.L_level(zL, zH + x, self.cos_sin)
                if h != c["H_cycles"] - 1:
                    zH = self.H_level(zH, zL, self.cos_sin)
        zL = self.L_level(zL, zH + x, self.cos_sin)
        zH = self.H_level(zH, zL, self.cos_sin)
        logits = F.linear(zH, self.lm_head.weight)[:, self.emb_len:]
        q = F.linear(zH[:, 0], self.q_head.weight, self.q_head.bias)
        return zH.detach(), zL.detach(), logits, q[:, 0], q[:, 1]


def stablemax_ce(logits, labels):
    x = logits.double()
    s = torch.where(x < 0, 1 / (1 - x + 1e-30), x + 1)
    logp = torch.log(s / s.sum(-1, keepdim=True))
    valid = labels != -100
    picked = logp.gather(-1, torch.where(valid, labels, 0).long().unsqueeze(-1)).squeeze(-1)
    return -torch.where(valid, picked, 0)


def softmax_ce(logits, labels):
    return F.cross_entropy(logits.float().flatten(0, 1), labels.long().flatten(),
                           ignore_index=-100, reduction="none").view(labels.shape)


class Trainer:
    """Persistent ACT carry + optimizers (AdamATan2, SignSGD on the touched puzzle-embedding
    rows), as the reference trainer runs them. The TRM peer's trainer extends it."""

    def __init__(self, model, cfg, batch, seed):
        self.m, self.cfg, self.B = model, cfg, batch
        self.gen = torch.Generator(device=DEVICE).manual_seed(seed)
        s, d = cfg["seq_len"] + model.emb_len, cfg["hidden_size"]
        self.zH = torch.zeros(batch, s, d)
        self.zL = torch.zeros(batch, s, d)
        self.steps = torch.zeros(batch, dtype=torch.int32)
        self.halted = torch.ones(batch, dtype=torch.bool)
        self.data = None
        self.params = [p for p in model.parameters()]
        self.mom = [torch.zeros_like(p) for p in self.params]
        self.vel = [torch.zeros_like(p) for p in self.params]
        self.t = 0
        self.loss_fn = softmax_ce if cfg.get("loss_type") == "softmax_cross_entropy" else stablemax_ce

    def start(self, inputs, labels, ids):
        """The ACT carry at the start of a step: halted rows take the new batch's data, the
        initial states and step 0. Returns (inputs, labels, ids, zH, zL, steps)."""
        m, h = self.m, self.halted
        if self.data is None:
            self.data = (inputs, labels, ids)
        self.data = tuple(torch.where(h.view((-1,) + (1,) * (n.dim() - 1)), n, o)
                          for n, o in zip((inputs, labels, ids), self.data))
        zH = torch.where(h.view(-1, 1, 1), m.H_init, self.zH)
        zL = torch.where(h.view(-1, 1, 1), m.L_init, self.zL)
        return (*self.data, zH, zL, torch.where(h, 0, self.steps))

    def lm_loss(self, logits, labels):
        """The summed per-token-mean LM loss and, per row, whether every label is predicted."""
        mask = labels != -100
        counts = mask.sum(-1)
        correct = (mask & (logits.argmax(-1) == labels)).sum(-1) == counts
        return (self.loss_fn(logits, labels) / counts.clamp_min(1).unsqueeze(-1)).sum(), correct

    def finish(self, loss, rows, ids, carry):
        """Back-propagates loss / batch, updates the weights, keeps the carry (zH, zL, steps,
        halted); returns the loss as a float."""
        (loss / self.B).backward()
        self.update(rows, ids)
        self.zH, self.zL, self.steps, self.halted = carry
        return float(loss)

    def step(self, inputs, labels, ids):
        m, c, B = self.m, self.cfg, self.B
        inputs, labels, ids, zH, zL, steps = self.start(inputs, labels, ids)
        rows = None
        if m.emb_len > 0:
            rows = m.puzzle_emb.weights[ids.long()].clone().requires_grad_(True)
        x = m.embed(inputs, ids, rows)
        zH, zL, logits, q_halt, q_cont = m.segment(zH, zL, x)
        with torch.no_grad():
            steps = steps + 1
            last = steps >= c["halt_max_steps"]
            halted = last | (q_halt > q_cont)
            explore = torch.rand(B, generator=self.gen) < c["halt_exploration_prob"]
            min_halt = explore * torch.randint(2, c["halt_max_steps"] + 1, (B,), generator=self.gen)
            halted = halted & (steps >= min_halt)
            _, _, _, nq_halt, nq_cont = m.segment(zH, zL, x.detach())
            target = torch.sigmoid(torch.where(last, nq_halt, torch.maximum(nq_halt, nq_cont)))
        lm, correct = self.lm_loss(logits, labels)
        q_loss = F.binary_cross_entropy_with_logits(q_halt, correct.float(), reduction="sum")
        qc_loss = F.binary_cross_entropy_with_logits(q_cont, target, reduction="sum")
        return self.finish(lm + 0.5 * (q_loss + qc_loss), rows, ids, (zH, zL, steps, halted))

    @torch.no_grad()
    def update(self, rows, ids):
        c = self.cfg
        lr, wd, b1, b2 = c["lr"], c["weight_decay"], c["beta1"], c["beta2"]
        self.t += 1
        for p, mo, ve in zip(self.params, self.mom, self.vel):
            g = p.grad
            if g is None:  # a weight this step did not reach
                continue
            p.mul_(1 - lr * wd)
            mo.lerp_(g, 1 - b1)
            ve.lerp_(g * g, 1 - b2)
            p.sub_((lr / (1 - b1 ** self.t)) * torch.atan2(mo, ve.sqrt() / math.sqrt(1 - b2 ** self.t)))
            p.grad = None
        if rows is not None and rows.grad is not None:
            w = self.m.puzzle_emb.weights
            uniq, inv = torch.unique(ids.long(), return_inverse=True)
            g = torch.zeros(len(uniq), rows.shape[1]).index_add_(0, inv, rows.grad)
            elr, ewd = c["puzzle_emb_lr"], c["puzzle_emb_weight_decay"]
            w[uniq] = w[uniq] * (1 - elr * ewd) - elr * torch.sign(g)


@torch.no_grad()
def evaluate(model, inputs, ids):
    """Full unroll: halt_max_steps segments from H_init/L_init; returns per-segment logits."""
    c = model.cfg
    B = inputs.shape[0]
    s = c["seq_len"] + model.emb_len
    zH = model.H_init.expand(B, s, -1)
    zL = model.L_init.expand(B, s, -1)
    rows = model.puzzle_emb.weights[ids.long()] if model.emb_len > 0 else None
    x = model.embed(inputs, ids, rows)
    out = []
    for _ in range(c["halt_max_steps"]):
        zH, zL, logits, _, _ = model.segment(zH, zL, x)
        out.append(logits)
    return out


def rel(got, want):
    """max |got - want| / max |want| (over max |got - want| where want is all zero)."""
    return float((got - want).abs().max()) / (float(want.abs().max()) or 1.0)


def worst_rel(state, ref, prefix):
    """The largest rel() of state[name] against every ref tensor named `prefix` + name."""
    return max((rel(state[n[len(prefix):]], t) for n, t in ref.items() if n.startswith(prefix)),
               default=0.0)


def check(fixture):
    cfg = json.load(open(f"{fixture}/config.json"))["model"]
    model = HRM(cfg)
    params = read_safetensors(f"{fixture}/params.safetensors")
    state = {k[len("model.inner."):]: v for k, v in params.items()}
    missing = model.load_state_dict(state, strict=False)
    if missing.missing_keys or missing.unexpected_keys:
        raise SystemExit(f"error: state dict mismatch {missing}")
    batch = read_safetensors(f"{fixture}/batches.safetensors")
    ref = read_safetensors(f"{fixture}/eval.safetensors")
    logits = evaluate(model, batch["batch1.inputs"], batch["batch1.puzzle_identifiers"])
    worst = max(rel(got, ref[f"step{i + 1}.logits"]) for i, got in enumerate(logits))
    # Training: two ACT steps with updates; compare loss and every weight after each update.
    train = read_safetensors(f"{fixture}/train.safetensors")
    trainer = Trainer(model, cfg, batch["batch1.inputs"].shape[0], 0)
    worst_train = 0.0
    for k in (1, 2):
        loss = trainer.step(batch[f"batch{k}.inputs"], batch[f"batch{k}.labels"],
                            batch[f"batch{k}.puzzle_identifiers"])
        want = float(train[f"step{k}.loss"])
        worst_train = max(worst_train, abs(loss - want) / abs(want))
        worst_train = max(worst_train,
                          worst_rel(model.state_dict(), train, f"step{k}.after.model.inner."))
    return {"fixture": fixture, "segments": len(logits), "eval_max_rel_diff": worst,
            "train_max_rel_diff": worst_train, "ok": worst <= 1e-3 and worst_train <= 1e-3}


def sync():
    """Waits for queued GPU work, so that wall-clock timings cover it (no-op on the CPU)."""
    if DEVICE != "cpu":
        torch.cuda.synchronize()


# No autocast unless --bf16 (the speed peer is float32 by default).
AUTOCAST = contextlib.nullcontext

# The bench optimizer settings a --config may override (both peers).
BENCH_OPTIM = {"lr": 1e-4, "weight_decay": 1.0, "beta1": 0.9, "beta2": 0.95, "puzzle_emb_lr": 1e-4,
               "puzzle_emb_weight_decay": 1.0, "halt_exploration_prob": 0.1}


def bench_batch(cfg, batch, seed):
    """A random batch (inputs, labels, puzzle ids) for --bench, drawn from `seed` on DEVICE."""
    gen = torch.Generator(device=DEVICE).manual_seed(seed)
    inputs = torch.randint(1, cfg["vocab_size"], (batch, cfg["seq_len"]), generator=gen)
    labels = torch.randint(1, cfg["vocab_size"], (batch, cfg["seq_len"]), generator=gen)
    ids = torch.randint(0, cfg["num_puzzle_identifiers"], (batch,), generator=gen).int()
    return inputs, labels, ids


def timed(fn, runs, warmup=0):
    """Seconds of each of `runs` calls of fn() after `warmup` untimed ones, under AUTOCAST,
    synchronised with the device on both sides."""
    out = []
    for i in range(warmup + runs):
        sync()
        t0 = time.perf_counter()
        with AUTOCAST():
            fn()
        sync()
        if i >= warmup:
            out.append(time.perf_counter() - t0)
    return out


def bench_result(train_s, eval_s, batch, **extra):
    """The --bench JSON object: the timings, `extra` fields, and what ran them."""
    return {"train_step_s": train_s, "eval_unroll_s": eval_s, "batch": batch, **extra,
            "threads": torch.get_num_threads(), "torch": torch.__version__, "device": DEVICE,
            "device_name": torch.cuda.get_device_name() if DEVICE != "cpu" else None}


def bench(cfg, batch, train_steps, eval_runs, warmup, seed):
    torch.manual_seed(seed)
    cfg = {**BENCH_OPTIM, **cfg}
    model = HRM(cfg)
    inputs, labels, ids = bench_batch(cfg, batch, seed)
    trainer = Trainer(model, cfg, batch, seed)
    train_s = timed(lambda: trainer.step(inputs, labels, ids), train_steps, warmup)
    eval_s = timed(lambda: evaluate(model, inputs, ids), eval_runs)
    return bench_result(train_s, eval_s, batch, dtype="bfloat16-autocast"
                        if AUTOCAST is not contextlib.nullcontext else "float32")


def peer_args(doc, check_metavar):
    """The command line both peers share: --check DIR, or --bench with its config and timings."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--check", metavar=check_metavar)
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--config", help="model config JSON (reference field names)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--train-steps", type=int, default=3)
    ap.add_argument("--eval-runs", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cpu",
                    help="torch device for --bench, e.g. cuda (float32, TF32 matmuls off)")
    return ap


def use_device(device, threads):
    """Sets DEVICE, puts every new tensor there (torch >= 2.0 off the CPU, TF32 off), and the
    torch thread count (0: all cores)."""
    global DEVICE
    DEVICE = device
    if device != "cpu":
        torch.set_default_device(device)
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    torch.set_num_threads(threads or os.cpu_count() or 1)


def run_mode(ap, a, check_fn, bench_fn):
    """Prints the JSON of --check or --bench; without either, the help and exit status 1."""
    if a.check:
        print(json.dumps(check_fn(a.check)))
    elif a.bench:
        if not a.config:
            raise SystemExit("error: --bench needs --config")
        print(json.dumps(bench_fn(json.loads(a.config), a.batch, a.train_steps, a.eval_runs,
                                  a.warmup, a.seed)))
    else:
        ap.print_help()
        sys.exit(1)


def main():
    ap = peer_args(__doc__, "FIXTURE_DIR")
    ap.add_argument("--bf16", action="store_true",
                    help="--bench under torch.autocast(bfloat16) on --device (float32 weights)")
    a = ap.parse_args()
    global AUTOCAST
    if a.bf16:
        # No cast cache: a cast made in the no-grad cycles would be reused without its gradient.
        AUTOCAST = lambda: torch.autocast(device_type=a.device.split(":")[0], dtype=torch.bfloat16,
                                          cache_enabled=False)
    use_device(a.device, a.threads)
    run_mode(ap, a, check, bench)


if __name__ == "__main__":
    main()
