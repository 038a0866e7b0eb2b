#===- linear_perf.py - References for the tiled linear kernels -----------===#
#
# Part of the Tokamak project. PyTorch float64 references for tok.linear as
# tok-tile-linear compiles it: the packed GEMM and the GEMV, with the
# epilogues it fuses (bias, activation, residual add).
#
# linear_tiled: --shape=M,K or B,S,K (x) --n [--bias] [--act=KIND | --glu=KIND]
#   [--residual] [--dtype=f32|f16|bf16]
#   inputs x, W [N, K], then b [N] with --bias, then r [..., N] (N/2 with
#   --glu) with --residual; result act(y) + r with y = x @ W.T + b, or
#   act(y[..., :N/2]) * y[..., N/2:] + r with --glu, rounded to the element
#   type after the linear (and after the activation or GLU) as the unfused
#   ops would.
#
#===----------------------------------------------------------------------===#
import numpy as np
import torch
import torch.nn.functional as F


def _round(x, dtype):
    """(array to store, float64 torch tensor of the rounded values); bf16 is
    stored as raw uint16 bits, f16 as np.float16."""
    x = np.asarray(x, dtype=np.float64).astype(np.float32)
    if dtype == "f32":
        return x, torch.from_numpy(x.astype(np.float64))
    if dtype == "f16":
        h = x.astype(np.float16)
        return h, torch.from_numpy(h.astype(np.float64))
    if dtype == "bf16":
        t = torch.from_numpy(x).to(torch.bfloat16)
        return t.view(torch.int16).numpy().view(np.uint16), t.double()
    raise ValueError(f"unknown dtype {dtype}")


def _activation(kind, y):
    return {
        "silu": F.silu,
        "gelu": F.gelu,
        "gelu_tanh": lambda v: F.gelu(v, approximate="tanh"),
        "relu": F.relu,
        "sigmoid": torch.sigmoid,
        "softplus": F.softplus,
        "elu": F.elu,
        "tanh": torch.tanh,
    }[kind](y)


def case_linear_tiled(args, rng):
    shape = tuple(int(s) for s in str(args.get("shape", "8,16")).split(","))
    n, dtype = int(args.get("n", 8)), args.get("dtype", "f32")
    k = shape[-1]
    stored = []

    def draw(shape, scale):
        s, v = _round(rng.standard_normal(shape) * scale, dtype)
        stored.append(s)
        return v

    x = draw(shape, 1.0)
    w = draw((n, k), 1.0 / np.sqrt(k))
    y = x @ w.T
    if args.get("bias"):
        y = y + draw((n,), 1.0)
    y = _round(y.numpy(), dtype)[1]
    if "act" in args:
        y = _round(_activation(args["act"], y).numpy(), dtype)[1]
    if "glu" in args:
        h = n // 2
        y = _activation(args["glu"], y[..., :h]) * y[..., h:]
        y = _round(y.numpy(), dtype)[1]
    if args.get("residual"):
        y = y + draw(tuple(y.shape), 1.0)
    return stored, [_round(y.numpy(), dtype)[0]]
