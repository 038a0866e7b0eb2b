#===- dtypes.py - Rounding helpers shared by the reference modules -------===#
#
# Part of the Tokamak project. Inputs are drawn in float64, rounded to the
# test's element type (what gets stored and what the reference then reads
# back), and reference outputs are computed in float64 and stored in the
# result's element type. bf16 is stored as raw uint16 bits (round to nearest
# even), f16 as np.float16.
#
#===----------------------------------------------------------------------===#
import numpy as np
import torch


def round_to(x, dtype):
    """Rounds `x` to `dtype`: (array to store, float64 numpy array of the
    rounded values)."""
    x = np.asarray(x, dtype=np.float64).astype(np.float32)
    if dtype == "f32":
        return x, x.astype(np.float64)
    if dtype == "f16":
        h = x.astype(np.float16)
        return h, h.astype(np.float64)
    if dtype == "bf16":
        t = torch.from_numpy(x).to(torch.bfloat16)
        bits = t.view(torch.int16).numpy().view(np.uint16)
        return bits, t.double().numpy()
    raise ValueError(f"unknown dtype {dtype}")


def store(x, dtype):
    """Stores the float64 array `x` as `dtype` (bf16 as uint16 bits)."""
    return round_to(x, dtype)[0]


def flag(args, name):
    """True when `--name` was passed."""
    return bool(args.get(name, False))
