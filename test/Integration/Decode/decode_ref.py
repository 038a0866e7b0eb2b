#!/usr/bin/env python3
#===- decode_ref.py - Weights and PyTorch references of the decode tests --===#
#
# Part of the Tokamak project.
#
#   decode_ref.py weights --model=attention|mamba --seed=N --out=DIR
#       writes the model's weights as DIR/w0.npy, DIR/w1.npy, ... in the
#       argument order of the model's functions (see the .mlir files).
#   decode_ref.py check --model=attention|mamba --weights=DIR --run=DIR
#                 [--window=W --sinks=S] [--rtol=R]
#       reads what tokamak-decode-check wrote for each sequence s
#       (DIR/seq<s>_tokens.npy [L], seq<s>_rows.npy [K], seq<s>_logits.npy
#       [K, V]: the logits the session returned after the token at each of
#       K positions), runs the model on the whole token sequence in float64
#       and compares those rows: |got - ref| <= rtol * max|ref| per sequence.
#
# The math is written out directly from DESIGN §4 (RoPE rotate-half, causal
# GQA attention with window and sinks, causal depthwise conv1d with SiLU,
# the Mamba-1 selective scan) and shares nothing with the compiler.
#
#===----------------------------------------------------------------------===#
import argparse
import glob
import os
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F

VOCAB, WIDTH = 32, 16
HQ, HKV, HEAD = 2, 1, 8
INNER, STATE, KERNEL = 24, 4, 4


def attention_weights(rng):
    def w(*shape, scale):
        return (rng.standard_normal(shape) * scale).astype(np.float32)
    return [w(VOCAB, WIDTH, scale=1.0),           # embedding
            w(HQ * HEAD, WIDTH, scale=0.5),       # wq
            w(HKV * HEAD, WIDTH, scale=0.5),      # wk
            w(HKV * HEAD, WIDTH, scale=0.5),      # wv
            w(WIDTH, HQ * HEAD, scale=0.3),       # wo
            w(VOCAB, WIDTH, scale=0.3)]           # lm head


def mamba_weights(rng):
    def w(*shape, scale):
        return (rng.standard_normal(shape) * scale).astype(np.float32)
    a = -np.exp(rng.uniform(-1.0, 0.5, (INNER, STATE))).astype(np.float32)
    return [w(VOCAB, WIDTH, scale=1.0),           # embedding
            w(INNER, WIDTH, scale=0.4),           # in_proj (x)
            w(INNER, WIDTH, scale=0.4),           # in_proj (z)
            w(INNER, KERNEL, scale=0.5),          # conv weight
            w(INNER, scale=0.1),                  # conv bias
            w(INNER, INNER, scale=0.2),           # dt projection
            w(INNER, scale=0.1) - 1.0,            # dt bias
            w(STATE, INNER, scale=0.4),           # B projection
            w(STATE, INNER, scale=0.4),           # C projection
            a,                                    # A
            w(INNER, scale=0.5),                  # D
            w(WIDTH, INNER, scale=0.3),           # out_proj
            w(VOCAB, WIDTH, scale=0.3)]           # lm head


def rope(x, pos, theta=10000.0):
    """x [H, L, D]; NeoX rotate-half over all of D."""
    d = x.shape[-1]
    half = d // 2
    inv = theta ** (-2.0 * torch.arange(half, dtype=torch.float64) / d)
    ang = pos.double()[None, :, None] * inv
    cos, sin = torch.cos(ang), torch.sin(ang)
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def attention_forward(wts, tokens, window, sinks):
    emb, wq, wk, wv, wo, wlm = wts
    n = len(tokens)
    x = emb[tokens]                                       # [L, E]
    q = (x @ wq.T).reshape(n, HQ, HEAD).transpose(0, 1)   # [Hq, L, D]
    k = (x @ wk.T).reshape(n, HKV, HEAD).transpose(0, 1)
    v = (x @ wv.T).reshape(n, HKV, HEAD).transpose(0, 1)
    pos = torch.arange(n)
    q, k = rope(q, pos), rope(k, pos)
    k = k.repeat_interleave(HQ // HKV, dim=0)
    v = v.repeat_interleave(HQ // HKV, dim=0)
    s = q @ k.transpose(1, 2) / np.sqrt(HEAD)
    i = torch.arange(n)[:, None]
    j = torch.arange(n)[None, :]
    visible = j <= i
    if window:
        visible &= (j > i - window) | (j < sinks)
    s = s.masked_fill(~visible, float("-inf"))
    o = torch.softmax(s, dim=-1) @ v                      # [Hq, L, D]
    h = x + o.transpose(0, 1).reshape(n, HQ * HEAD) @ wo.T
    return h @ wlm.T


def mamba_forward(wts, tokens):
    (emb, w_x, w_z, w_conv, b_conv, w_dt, dt_bias, w_b, w_c, a, d,
     w_out, w_lm) = wts
    n = len(tokens)
    x = emb[tokens]
    xin, z = x @ w_x.T, x @ w_z.T                         # [L, Dm]
    padded = torch.cat([torch.zeros(KERNEL - 1, INNER, dtype=x.dtype), xin])
    xc = torch.stack([(padded[t:t + KERNEL] * w_conv.T).sum(0)
                      for t in range(n)]) + b_conv
    xc = F.silu(xc)
    delta = F.softplus(xc @ w_dt.T + dt_bias)             # [L, Dm]
    bm, cm = xc @ w_b.T, xc @ w_c.T                       # [L, N]
    h = torch.zeros(INNER, STATE, dtype=x.dtype)
    ys = []
    for t in range(n):
        h = torch.exp(delta[t][:, None] * a) * h + \
            (delta[t] * xc[t])[:, None] * bm[t][None, :]
        ys.append(h @ cm[t] + d * xc[t])
    y = torch.stack(ys) * F.silu(z)
    hid = x + y @ w_out.T
    return hid @ w_lm.T


def cmd_weights(args):
    rng = np.random.default_rng(args.seed)
    weights = (attention_weights if args.model == "attention"
               else mamba_weights)(rng)
    os.makedirs(args.out, exist_ok=True)
    for i, w in enumerate(weights):
        np.save(os.path.join(args.out, f"w{i}.npy"), w)


def cmd_check(args):
    wts = []
    i = 0
    while os.path.exists(os.path.join(args.weights, f"w{i}.npy")):
        wts.append(torch.from_numpy(
            np.load(os.path.join(args.weights, f"w{i}.npy"))).double())
        i += 1
    files = sorted(glob.glob(os.path.join(args.run, "seq*_tokens.npy")))
    if not files:
        sys.exit(f"decode_ref: no seq*_tokens.npy in {args.run}")
    failed = False
    for path in files:
        sid = int(re.search(r"seq(\d+)_tokens", path).group(1))
        prefix = os.path.join(args.run, f"seq{sid}")
        tokens = torch.from_numpy(np.load(path).astype(np.int64))
        rows = np.load(prefix + "_rows.npy").astype(np.int64)
        got = np.load(prefix + "_logits.npy").astype(np.float64)
        if args.model == "attention":
            ref = attention_forward(wts, tokens, args.window, args.sinks)
        else:
            ref = mamba_forward(wts, tokens)
        ref = ref.numpy()[rows]
        scale = np.abs(ref).max()
        err = np.abs(got - ref).max() / scale
        ok = err <= args.rtol
        failed |= not ok
        print(f"decode_ref: sequence {sid}: {len(tokens)} tokens, "
              f"{len(rows)} rows, max rel err {err:.3e} "
              f"{'ok' if ok else 'FAILED'}")
    if failed:
        sys.exit("decode_ref: FAILED")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("weights")
    w.add_argument("--model", choices=["attention", "mamba"], required=True)
    w.add_argument("--seed", type=int, default=0)
    w.add_argument("--out", required=True)
    c = sub.add_parser("check")
    c.add_argument("--model", choices=["attention", "mamba"], required=True)
    c.add_argument("--weights", required=True)
    c.add_argument("--run", required=True)
    c.add_argument("--window", type=int, default=0)
    c.add_argument("--sinks", type=int, default=0)
    c.add_argument("--rtol", type=float, default=1e-4)
    args = p.parse_args()
    (cmd_weights if args.cmd == "weights" else cmd_check)(args)


if __name__ == "__main__":
    main()
