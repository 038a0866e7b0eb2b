#===- mixers.py - References for the token mixers ------------------------===#
#
# Part of the Tokamak project. PyTorch float64 references for tok.conv1d
# (torch.nn.functional.conv1d with groups = C on the history-padded input)
# and tok.pool2d (avg_pool2d with count_include_pad=False).
#
# conv1d: --b --l --c --k [--bias] [--init] [--silu] [--no-final]
#   [--dtype=f32|f16|bf16]; inputs x, w[, bias][, init]; outputs y[, state].
# pool2d: --b --height --width --c --kernel [--subtract] [--dtype=...]; input x,
#   output the mixed x.
#
#===----------------------------------------------------------------------===#
import numpy as np
import torch
import torch.nn.functional as F

from .dtypes import flag, round_to, store


def case_conv1d(args, rng):
    bsz, length = args.get("b", 2), args.get("l", 16)
    chans, taps = args.get("c", 8), args.get("k", 4)
    dtype = args.get("dtype", "f32")
    inputs, vals = [], {}

    def add(name, array):
        stored, value = round_to(array, dtype)
        inputs.append(stored)
        vals[name] = torch.from_numpy(value)

    add("x", rng.standard_normal((bsz, length, chans)))
    add("w", rng.standard_normal((chans, taps)) * 0.5)
    if flag(args, "bias"):
        add("bias", rng.standard_normal(chans))
    if flag(args, "init"):
        add("init", rng.standard_normal((bsz, chans, taps - 1)))

    x = vals["x"].permute(0, 2, 1)  # [B, C, L]
    history = vals.get("init", torch.zeros(bsz, chans, taps - 1,
                                           dtype=torch.float64))
    padded = torch.cat([history, x], dim=2)  # [B, C, K-1+L]
    y = F.conv1d(padded, vals["w"][:, None, :], vals.get("bias"),
                 groups=chans)
    if flag(args, "silu"):
        y = F.silu(y)
    outputs = [store(y.permute(0, 2, 1).numpy(), dtype)]
    if not flag(args, "no_final"):
        outputs.append(store(padded[:, :, padded.shape[2] - (taps - 1):]
                             .numpy(), dtype))
    return inputs, outputs


def case_pool2d(args, rng):
    bsz, height = args.get("b", 1), args.get("height", 8)
    width, chans = args.get("width", 8), args.get("c", 4)
    kernel = args.get("kernel", 3)
    dtype = args.get("dtype", "f32")
    stored, value = round_to(rng.standard_normal((bsz, height, width, chans)),
                             dtype)
    x = torch.from_numpy(value).permute(0, 3, 1, 2)  # NCHW
    y = F.avg_pool2d(x, kernel, stride=1, padding=kernel // 2,
                     count_include_pad=False)
    if flag(args, "subtract"):
        y = y - x
    return [stored], [store(y.permute(0, 2, 3, 1).numpy(), dtype)]
