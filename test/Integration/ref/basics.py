#===- basics.py - References for the building blocks ---------------------===#
#
# Part of the Tokamak project. PyTorch float64 references for tok.linear,
# tok.rms_norm, tok.layer_norm, tok.rope, tok.glu, tok.activation and
# tok.embedding. Norms and activations come from torch.nn.functional, RMS
# norm and rope are written out (HF Llama / NeoX and GPT-J conventions).
#
# linear: --shape=2,16,32 (x) --n [--bias] [--dtype=...]
# rms_norm / layer_norm: --shape [--eps=F] [--dtype=...]
# rope: --b --heads --seq --d [--rotary-dim] [--theta=F] [--interleaved]
#   [--max-pos] [--dtype=...]; inputs x, positions (i32)
# glu: --shape (of x, last dim 2N) [--act=silu|gelu|gelu_tanh|relu|sigmoid]
# activation: --shape --kind [--dtype=...]
# embedding: --shape (of ids) --vocab --e [--ids=i32|i64] [--dtype=...]
# rms_norm_linear: --shape (of x) --n [--eps=F] [--bias]; inputs x, norm
#   weight, W[, b]; output linear(rms_norm(x)) (a norm feeding a projection)
# softmax: --shape --dim (linalg.softmax along dim)
# looped_layer: --shape (of x, [S, K]) --steps; inputs x, norm weight, W
#   [K, K]; output after `steps` applications of x + tanh(W rms_norm(x))
#   (one weight-shared layer run in a loop)
# upstream_elementwise: --shape; inputs a, b; output exp(a + b) * tanh(a) - b
#   (arith/math ops on whole tensors beside tok ops)
# gather_rows: --rows --vocab --e [--ids=i32|i64]; inputs ids [rows], table
#   [vocab, e]; output table[ids] (an embedding-style gather of whole rows)
# take_along_axis: --shape (of x, [N, M]) --k; inputs x, idx [N, k] (i64,
#   in [0, M)); output x[i, idx[i, j]]
# upstream_tails: --shape [--dtype=...]; inputs a, b; outputs exp(a + b)
#   and the sums of the rows of a (elementwise and row reduction in f16/bf16)
# reduce_outer: --shape --dim [--kind=sum|max]; input x; output the sum
#   (max) of x over `dim`, an outer (not the innermost) dim
#
# (ref.py's parser accepts abbreviations of --seed and --help, so no flag
# here is a prefix of either: --heads, --seq rather than --h, --s.)
#
#===----------------------------------------------------------------------===#
import numpy as np
import torch
import torch.nn.functional as F

from .dtypes import flag, round_to, store


def _shape(text):
    return tuple(int(s) for s in str(text).split(","))


def _inputs(rng, dtype, *shapes_and_scales):
    stored, vals = [], []
    for shape, scale in shapes_and_scales:
        s, v = round_to(rng.standard_normal(shape) * scale, dtype)
        stored.append(s)
        vals.append(torch.from_numpy(v))
    return stored, vals


def case_linear(args, rng):
    shape = _shape(args.get("shape", "2,8,16"))
    n, dtype = args.get("n", 8), args.get("dtype", "f32")
    k = shape[-1]
    specs = [(shape, 1.0), ((n, k), 1.0 / np.sqrt(k))]
    if flag(args, "bias"):
        specs.append(((n,), 1.0))
    stored, vals = _inputs(rng, dtype, *specs)
    y = vals[0] @ vals[1].T
    if flag(args, "bias"):
        y = y + vals[2]
    return stored, [store(y.numpy(), dtype)]


def case_rms_norm(args, rng):
    shape = _shape(args.get("shape", "2,8,16"))
    dtype, eps = args.get("dtype", "f32"), float(args.get("eps", 1e-6))
    stored, (x, w) = _inputs(rng, dtype, (shape, 1.0), (shape[-1:], 1.0))
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w
    return stored, [store(y.numpy(), dtype)]


def case_layer_norm(args, rng):
    shape = _shape(args.get("shape", "2,8,16"))
    dtype, eps = args.get("dtype", "f32"), float(args.get("eps", 1e-5))
    # An offset on x makes the mean matter.
    x_stored, x_val = round_to(rng.standard_normal(shape) + 1.5, dtype)
    stored, (w, b) = _inputs(rng, dtype, (shape[-1:], 1.0), (shape[-1:], 1.0))
    y = F.layer_norm(torch.from_numpy(x_val), shape[-1:], w, b, eps)
    return [x_stored] + stored, [store(y.numpy(), dtype)]


def rope(x, pos, theta=10000.0, rotary=None, interleaved=False,
         inv_freq=None):
    """tok.rope in float64: rotates the first `rotary` dims of x [B, H, S, D]
    (torch) by the positions pos [B, S] (numpy ints); returns a new tensor.
    Pairs are (i, i + rotary/2) (NeoX rotate-half) or (2i, 2i+1) (GPT-J).
    `inv_freq` (rotary/2 values) replaces theta^(-2i/rotary)."""
    rotary = rotary or x.shape[-1]
    half = rotary // 2
    if inv_freq is not None:
        inv_freq = torch.tensor(inv_freq, dtype=torch.float64)
    else:
        inv_freq = theta ** (-2.0 * torch.arange(half, dtype=torch.float64) /
                             rotary)
    angle = torch.from_numpy(pos).double()[:, None, :, None] * inv_freq
    cos, sin = torch.cos(angle), torch.sin(angle)
    y = x.clone()
    if interleaved:
        x1, x2 = x[..., 0:rotary:2], x[..., 1:rotary:2]
        y[..., 0:rotary:2] = x1 * cos - x2 * sin
        y[..., 1:rotary:2] = x2 * cos + x1 * sin
    else:
        x1, x2 = x[..., :half], x[..., half:rotary]
        y[..., :half] = x1 * cos - x2 * sin
        y[..., half:rotary] = x2 * cos + x1 * sin
    return y


def case_rope(args, rng):
    bsz, heads = args.get("b", 1), args.get("heads", 2)
    seq, dim = args.get("seq", 8), args.get("d", 16)
    dtype = args.get("dtype", "f32")
    stored, (x,) = _inputs(rng, dtype, ((bsz, heads, seq, dim), 1.0))
    pos = rng.integers(0, args.get("max_pos", 256), (bsz, seq)).astype(
        np.int32)
    inv_freq = args.get("inv_freq")
    if inv_freq is not None:
        # The f32 values the op's attribute holds.
        inv_freq = np.array([float(v) for v in str(inv_freq).split(":")],
                            dtype=np.float32).astype(np.float64)
    y = rope(x, pos, float(args.get("theta", 10000.0)),
             args.get("rotary_dim", dim), flag(args, "interleaved"), inv_freq)
    return stored + [pos], [store(y.numpy(), dtype)]


def _act(kind, x):
    return {
        "silu": F.silu,
        "gelu": F.gelu,
        "gelu_tanh": lambda v: F.gelu(v, approximate="tanh"),
        "relu": F.relu,
        "sigmoid": torch.sigmoid,
        "softplus": F.softplus,
        "elu": F.elu,
        "tanh": torch.tanh,
    }[kind](x)


def case_glu(args, rng):
    shape = _shape(args.get("shape", "2,8,32"))
    dtype, kind = args.get("dtype", "f32"), args.get("act", "silu")
    stored, (x,) = _inputs(rng, dtype, (shape, 2.0))
    n = shape[-1] // 2
    y = _act(kind, x[..., :n]) * x[..., n:]
    return stored, [store(y.numpy(), dtype)]


def case_activation(args, rng):
    shape = _shape(args.get("shape", "2,8,32"))
    dtype, kind = args.get("dtype", "f32"), args.get("kind", "silu")
    # Wide inputs reach the saturating and negative branches.
    stored, (x,) = _inputs(rng, dtype, (shape, 4.0))
    return stored, [store(_act(kind, x).numpy(), dtype)]


def case_embedding(args, rng):
    shape = _shape(args.get("shape", "2,8"))
    vocab, width = args.get("vocab", 100), args.get("e", 16)
    dtype = args.get("dtype", "f32")
    ids = rng.integers(0, vocab, shape).astype(
        np.int64 if args.get("ids", "i32") == "i64" else np.int32)
    stored, (table,) = _inputs(rng, dtype, ((vocab, width), 1.0))
    y = table[torch.from_numpy(ids.astype(np.int64))]
    return [ids] + stored, [store(y.numpy(), dtype)]


def case_rms_norm_linear(args, rng):
    shape = _shape(args.get("shape", "2,8,16"))
    n, eps = args.get("n", 8), float(args.get("eps", 1e-6))
    k = shape[-1]
    specs = [(shape, 1.0), ((k,), 1.0), ((n, k), 1.0 / np.sqrt(k))]
    if flag(args, "bias"):
        specs.append(((n,), 1.0))
    stored, vals = _inputs(rng, "f32", *specs)
    x, w = vals[0], vals[1]
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w
    y = y @ vals[2].T
    if flag(args, "bias"):
        y = y + vals[3]
    return stored, [store(y.numpy(), "f32")]


def case_softmax(args, rng):
    shape = _shape(args.get("shape", "4,37"))
    dim = int(args.get("dim", len(shape) - 1))
    stored, (x,) = _inputs(rng, "f32", (shape, 3.0))
    return stored, [store(torch.softmax(x, dim=dim).numpy(), "f32")]


def case_upstream_elementwise(args, rng):
    shape = _shape(args.get("shape", "3,5,40"))
    stored, (a, b) = _inputs(rng, "f32", (shape, 1.0), (shape, 1.0))
    y = torch.exp(a + b) * torch.tanh(a) - b
    return stored, [store(y.numpy(), "f32")]


def case_looped_layer(args, rng):
    shape = _shape(args.get("shape", "6,64"))
    steps, k = int(args.get("steps", 3)), shape[-1]
    stored, (x, w, proj) = _inputs(rng, "f32", (shape, 1.0), ((k,), 1.0),
                                   ((k, k), 1.0 / np.sqrt(k)))
    for _ in range(steps):
        h = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w
        x = x + torch.tanh(h @ proj.T)
    return stored, [store(x.numpy(), "f32")]


def case_upstream_tails(args, rng):
    shape, dtype = _shape(args.get("shape", "5,17")), args.get("dtype", "f16")
    (sa, sb), (a, b) = _inputs(rng, dtype, (shape, 0.5), (shape, 0.5))
    a, b = a.numpy(), b.numpy()
    return [sa, sb], [store(np.exp(a + b), dtype), store(a.sum(-1), dtype)]


def case_gather_rows(args, rng):
    rows, vocab = args.get("rows", 9), args.get("vocab", 50)
    width = args.get("e", 37)
    ids = rng.integers(0, vocab, rows).astype(
        np.int64 if args.get("ids", "i32") == "i64" else np.int32)
    table = rng.standard_normal((vocab, width)).astype(np.float32)
    y = table.astype(np.float64)[ids.astype(np.int64)]
    return [ids, table], [y.astype(np.float32)]


def case_take_along_axis(args, rng):
    n, m = _shape(args.get("shape", "5,33"))
    k = args.get("k", 17)
    x = rng.standard_normal((n, m)).astype(np.float32)
    idx = rng.integers(0, m, (n, k)).astype(np.int64)
    y = np.take_along_axis(x.astype(np.float64), idx, axis=1)
    return [x, idx], [y.astype(np.float32)]


def case_reduce_outer(args, rng):
    shape = _shape(args.get("shape", "40,33"))
    dim, kind = int(args.get("dim", 0)), args.get("kind", "sum")
    x = rng.standard_normal(shape).astype(np.float32)
    x64 = x.astype(np.float64)
    y = x64.sum(axis=dim) if kind == "sum" else x64.max(axis=dim)
    return [x], [y.astype(np.float32)]
