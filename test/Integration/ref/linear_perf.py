#===- linear_perf.py - References for the tiled linear kernels -----------===#
#
# Part of the Tokamak project. PyTorch float64 references for tok.linear as
# tok-tile-linear compiles it: the packed GEMM and the GEMV, with the
# epilogues it fuses (bias, activation, residual add) and the norms it fuses
# into their prologues (norm_linear, below).
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


# norm_linear: --norm=rms|layer [--eps=F] --shape=M,K or B,S,K (x)
#   --n=N1[,N2...] (one linear per size) [--bias] [--act=KIND | --glu=KIND]
#   [--residual] [--return-norm] [--dtype=f32|f16|bf16]
#   inputs x, γ [K], β [K] (layer), then per linear W [N, K] (and b [N] with
#   --bias), then r (first linear's result shape) with --residual (one linear
#   only); results: each linear's chain as in linear_tiled on the norm's
#   output, then the norm's output with --return-norm. The norm (RMS:
#   x·rsqrt(mean(x²) + eps)·γ, HF Llama; layer: F.layer_norm) is computed in
#   float64 and rounded to the element type, as the unfused ops would.
def case_norm_linear(args, rng):
    shape = tuple(int(s) for s in str(args.get("shape", "8,16")).split(","))
    ns = [int(s) for s in str(args.get("n", 8)).split(",")]
    dtype, kind = args.get("dtype", "f32"), args.get("norm", "rms")
    eps = float(args.get("eps", 1e-6 if kind == "rms" else 1e-5))
    k = shape[-1]
    stored = []

    def draw(shape, scale, offset=0.0):
        s, v = _round(rng.standard_normal(shape) * scale + offset, dtype)
        stored.append(s)
        return v

    # An offset on x makes a layer norm's mean matter; γ near 1 as trained.
    x = draw(shape, 1.0, 1.5 if kind == "layer" else 0.0)
    gamma = draw((k,), 0.5, 1.0)
    if kind == "layer":
        beta = draw((k,), 0.5)
        h = F.layer_norm(x, (k,), gamma, beta, eps)
    else:
        h = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * gamma
    h = _round(h.numpy(), dtype)[1]
    results = []
    for n in ns:
        y = h @ draw((n, k), 1.0 / np.sqrt(k)).T
        if args.get("bias"):
            y = y + draw((n,), 1.0)
        y = _round(y.numpy(), dtype)[1]
        if "act" in args:
            y = _round(_activation(args["act"], y).numpy(), dtype)[1]
        if "glu" in args:
            y = _activation(args["glu"], y[..., :n // 2]) * y[..., n // 2:]
            y = _round(y.numpy(), dtype)[1]
        results.append(y)
    if args.get("residual"):
        results[0] = results[0] + draw(tuple(results[0].shape), 1.0)
    outputs = [_round(y.numpy(), dtype)[0] for y in results]
    if args.get("return_norm"):
        outputs.append(_round(h.numpy(), dtype)[0])
    return stored, outputs
