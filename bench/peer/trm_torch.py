#!/usr/bin/env python3
"""A small float32 PyTorch TRM (Tiny Recursive Model), the speed peer of `deno task bench`.

Written for this project from the semantics in docs (the TRM reference notes:
one network of L_layers post-norm blocks for both updates; attention with RoPE
or learned positions, or the `mlp_t` SwiGLU over positions; T - 1 recursions
without gradient and one full recursion with it; halting on q_halt > 0 with no
Q-continue target; loss lm + 0.5 q_halt; AdamATan2 on the weights, SignSGD on
the touched puzzle-embedding rows, and an EMA of the weights used for
evaluation). The helpers shared with the HRM peer (safetensors reader,
initialisation, RMS norm, RoPE, the losses, and the bench harness: timing,
command line, JSON output) come from hrm_torch.py beside it.

Modes (one JSON object on stdout):
  --check CASE_DIR   load params.safetensors, compare every segment's logits of
                     the evaluation unroll with eval.safetensors, then two
                     training steps: the loss, every weight after each update
                     and the EMA shadow (max |diff| / max |ref|).
  --bench            time training steps (with the EMA update) and evaluation
                     unrolls (halt_max_steps segments) for a config given with
                     --config (JSON of the reference's field names) and --batch.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hrm_torch as H  # noqa: E402  (the HRM peer's helpers)


def swiglu_inter(width, expansion):
    """round(expansion * width * 2/3) rounded up to a multiple of 256 (Python round)."""
    return -(round(expansion * width * 2 / 3) // -256) * 256


class SwiGLU(nn.Module):
    def __init__(self, width, expansion):
        super().__init__()
        inter = swiglu_inter(width, expansion)
        self.gate_up_proj = nn.Module()
        self.gate_up_proj.weight = H.linear_weight(2 * inter, width)
        self.down_proj = nn.Module()
        self.down_proj.weight = H.linear_weight(width, inter)

    def forward(self, x):
        gate, up = F.linear(x, self.gate_up_proj.weight).chunk(2, dim=-1)
        return F.linear(F.silu(gate) * up, self.down_proj.weight)


class Block(nn.Module):
    """Post-norm block: token mixing (attention or the MLP over positions), then the SwiGLU."""

    def __init__(self, cfg, positions):
        super().__init__()
        d = cfg["hidden_size"]
        self.heads, self.eps, self.mlp_t_on = cfg["num_heads"], cfg.get("rms_norm_eps", 1e-5), \
            bool(cfg.get("mlp_t"))
        if self.mlp_t_on:
            self.mlp_t = SwiGLU(positions, cfg["expansion"])
        else:
            self.self_attn = nn.Module()
            self.self_attn.qkv_proj = nn.Module()
            self.self_attn.qkv_proj.weight = H.linear_weight(3 * d, d)
            self.self_attn.o_proj = nn.Module()
            self.self_attn.o_proj.weight = H.linear_weight(d, d)
        self.mlp = SwiGLU(d, cfg["expansion"])

    def forward(self, x, cos_sin):
        b, s, d = x.shape
        if self.mlp_t_on:
            t = x.transpose(1, 2)  # [b, d, s]: mix the positions of each channel
            x = H.rms_norm(t + self.mlp_t(t), self.eps).transpose(1, 2)
        else:
            hd = d // self.heads
            qkv = F.linear(x, self.self_attn.qkv_proj.weight).view(b, s, 3, self.heads, hd)
            q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))
            if cos_sin is not None:
                cos, sin = cos_sin
                q = q * cos + H.rotate_half(q) * sin
                k = k * cos + H.rotate_half(k) * sin
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd), dim=-1)
            o = (att @ v).transpose(1, 2).reshape(b, s, d)
            x = H.rms_norm(x + F.linear(o, self.self_attn.o_proj.weight), self.eps)
        return H.rms_norm(x + self.mlp(x), self.eps)


class Level(nn.Module):
    def __init__(self, cfg, positions):
        super().__init__()
        self.layers = nn.ModuleList([Block(cfg, positions) for _ in range(cfg["L_layers"])])

    def forward(self, z, injection, cos_sin):
        z = z + injection
        for layer in self.layers:
            z = layer(z, cos_sin)
        return z


def puzzle_positions(cfg):
    """puzzle_emb_len if non-zero (16 when unset), else HRM's ceil(ndim / hidden)."""
    p = cfg.get("puzzle_emb_len", 16)
    return p if p else -(cfg["puzzle_emb_ndim"] // -cfg["hidden_size"])


class TRM(nn.Module):
    """The inner model; attribute names follow the official state-dict keys."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        d = cfg["hidden_size"]
        self.embed_scale = math.sqrt(d)
        self.emb_len = puzzle_positions(cfg) if cfg["puzzle_emb_ndim"] > 0 else \
            cfg.get("puzzle_emb_len", 16)
        positions = cfg["seq_len"] + self.emb_len
        self.embed_tokens = nn.Module()
        self.embed_tokens.embedding_weight = nn.Parameter(
            H.trunc_normal_(torch.empty(cfg["vocab_size"], d), 1 / self.embed_scale))
        if cfg["puzzle_emb_ndim"] > 0:
            self.puzzle_emb = nn.Module()
            self.puzzle_emb.register_buffer(
                "weights", torch.zeros(cfg["num_puzzle_identifiers"], cfg["puzzle_emb_ndim"]))
        self.cos_sin = None
        if cfg["pos_encodings"] == "rope":
            self.cos_sin = H.rope_tables(cfg, positions)
        elif cfg["pos_encodings"] == "learned":
            self.embed_pos = nn.Module()
            self.embed_pos.embedding_weight = nn.Parameter(
                H.trunc_normal_(torch.empty(positions, d), 1 / self.embed_scale))
        self.L_level = Level(cfg, positions)
        self.lm_head = nn.Module()
        self.lm_head.weight = H.linear_weight(cfg["vocab_size"], d)
        self.q_head = nn.Module()
        self.q_head.weight = nn.Parameter(torch.zeros(2, d))
        self.q_head.bias = nn.Parameter(torch.full((2,), -5.0))
        self.register_buffer("H_init", H.trunc_normal_(torch.empty(d), 1.0))
        self.register_buffer("L_init", H.trunc_normal_(torch.empty(d), 1.0))

    def embed(self, inputs, emb_rows):
        e = F.embedding(inputs.long(), self.embed_tokens.embedding_weight)
        if emb_rows is not None:
            d = self.cfg["hidden_size"]
            p = F.pad(emb_rows, (0, self.emb_len * d - emb_rows.shape[-1]))
            e = torch.cat((p.view(-1, self.emb_len, d), e), dim=-2)
        if self.cfg["pos_encodings"] == "learned":
            e = 0.707106781 * (e + self.embed_pos.embedding_weight)
        return self.embed_scale * e

    def recursion(self, zH, zL, x):
        for _ in range(self.cfg["L_cycles"]):
            zL = self.L_level(zL, zH + x, self.cos_sin)
        return self.L_level(zH, zL, self.cos_sin), zL

    def segment(self, zH, zL, x):
        with torch.no_grad():
            for _ in range(self.cfg["H_cycles"] - 1):
                zH, zL = self.recursion(zH, zL, x)
        zH, zL = self.recursion(zH, zL, x)
        logits = F.linear(zH, self.lm_head.weight)[:, self.emb_len:]
        q = F.linear(zH[:, 0], self.q_head.weight, self.q_head.bias)
        return zH.detach(), zL.detach(), logits, q[:, 0], q[:, 1]


class Trainer(H.Trainer):
    """The HRM peer's trainer (ACT carry, AdamATan2 + SignSGD) with TRM's step and the EMA
    shadow of the weights."""

    def __init__(self, model, cfg, batch, seed):
        super().__init__(model, cfg, batch, seed)
        self.names = [n for n, _ in model.named_parameters()]
        self.ema = [p.detach().clone() for p in self.params] if cfg.get("ema") else None

    def step(self, inputs, labels, ids):
        m, c, B = self.m, self.cfg, self.B
        inputs, labels, ids, zH, zL, steps = self.start(inputs, labels, ids)
        rows = None
        if c["puzzle_emb_ndim"] > 0:
            rows = m.puzzle_emb.weights[ids.long()].clone().requires_grad_(True)
        x = m.embed(inputs, rows)
        zH, zL, logits, q_halt, _ = m.segment(zH, zL, x)
        with torch.no_grad():
            steps = steps + 1
            halted = steps >= c["halt_max_steps"]
            if c["halt_max_steps"] > 1:
                halted = halted | (q_halt > 0)
                explore = torch.rand(B, generator=self.gen) < c["halt_exploration_prob"]
                min_halt = explore * torch.randint(2, c["halt_max_steps"] + 1, (B,),
                                                   generator=self.gen)
                halted = halted & (steps >= min_halt)
        lm, correct = self.lm_loss(logits, labels)
        q_loss = F.binary_cross_entropy_with_logits(q_halt, correct.to(q_halt.dtype),
                                                    reduction="sum")
        return self.finish(lm + 0.5 * q_loss, rows, ids, (zH, zL, steps, halted))

    @torch.no_grad()
    def update(self, rows, ids):
        super().update(rows, ids)
        if self.ema is not None:
            mu = self.cfg.get("ema_rate", 0.999)
            for s, p in zip(self.ema, self.params):
                s.mul_(mu).add_(p, alpha=1 - mu)

    @torch.no_grad()
    def eval_model(self):
        """The model evaluation uses: the EMA shadow's values when EMA is on."""
        if self.ema is None:
            return self.m
        for p, s in zip(self.params, self.ema):
            p.copy_(s)
        return self.m


@torch.no_grad()
def evaluate(model, inputs, ids):
    """Full unroll: halt_max_steps segments from H_init/L_init; returns per-segment logits."""
    c = model.cfg
    B = inputs.shape[0]
    s = c["seq_len"] + model.emb_len
    zH = model.H_init.expand(B, s, -1)
    zL = model.L_init.expand(B, s, -1)
    rows = model.puzzle_emb.weights[ids.long()] if c["puzzle_emb_ndim"] > 0 else None
    x = model.embed(inputs, rows)
    out = []
    for _ in range(c["halt_max_steps"]):
        zH, zL, logits, _, _ = model.segment(zH, zL, x)
        out.append(logits)
    return out


def check(case):
    cfg = json.load(open(f"{case}/config.json"))["model"]
    model = TRM(cfg)
    params = H.read_safetensors(f"{case}/params.safetensors")
    state = {k[len("model.inner."):]: v for k, v in params.items()}
    loaded = model.load_state_dict(state, strict=False)
    if loaded.missing_keys or loaded.unexpected_keys:
        raise SystemExit(f"error: state dict mismatch {loaded}")
    batch = H.read_safetensors(f"{case}/batches.safetensors")
    ref = H.read_safetensors(f"{case}/eval.safetensors")
    logits = evaluate(model, batch["batch1.inputs"], batch["batch1.puzzle_identifiers"])
    worst = max(H.rel(got, ref[f"step{i + 1}.logits"]) for i, got in enumerate(logits))
    train = H.read_safetensors(f"{case}/train.safetensors")
    trainer = Trainer(model, cfg, batch["batch1.inputs"].shape[0], 0)
    worst_train, worst_ema = 0.0, 0.0
    for k in (1, 2):
        loss = trainer.step(batch[f"batch{k}.inputs"], batch[f"batch{k}.labels"],
                            batch[f"batch{k}.puzzle_identifiers"])
        want = float(train[f"step{k}.loss"])
        worst_train = max(worst_train, abs(loss - want) / abs(want))
        worst_train = max(worst_train,
                          H.worst_rel(model.state_dict(), train, f"step{k}.after.model.inner."))
        shadow = dict(zip(trainer.names, trainer.ema or []))
        worst_ema = max(worst_ema, H.worst_rel(shadow, train, f"step{k}.ema.model.inner."))
    return {"case": case, "segments": len(logits), "eval_max_rel_diff": worst,
            "train_max_rel_diff": worst_train, "ema_max_rel_diff": worst_ema,
            "parameters": sum(p.numel() for p in model.parameters()),
            "ok": worst <= 1e-3 and worst_train <= 1e-3 and worst_ema <= 1e-3}


def bench(cfg, batch, train_steps, eval_runs, warmup, seed):
    torch.manual_seed(seed)
    cfg = {**H.BENCH_OPTIM, "ema": True, "ema_rate": 0.999, **cfg}
    model = TRM(cfg)
    inputs, labels, ids = H.bench_batch(cfg, batch, seed)
    trainer = Trainer(model, cfg, batch, seed)
    train_s = H.timed(lambda: trainer.step(inputs, labels, ids), train_steps, warmup)
    eval_model = trainer.eval_model()
    eval_s = H.timed(lambda: evaluate(eval_model, inputs, ids), eval_runs)
    return H.bench_result(train_s, eval_s, batch,
                          parameters=sum(p.numel() for p in model.parameters()))


def main():
    ap = H.peer_args(__doc__, "CASE_DIR")
    a = ap.parse_args()
    H.use_device(a.device, a.threads)
    H.run_mode(ap, a, check, bench)


if __name__ == "__main__":
    main()
