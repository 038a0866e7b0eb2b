#===- packed.py - References for packed (seq_starts) scans ---------------===#
#
# Part of the Tokamak project. float64 references for tok.selective_scan,
# tok.linear_scan and tok.conv1d with `seq_starts` (issue 14): N sequences
# packed along the time dim of a batch of one. Each sequence is computed
# alone by the step-by-step recurrences of scans.py (conv1d: a direct sum
# over taps here) on its slice [cu[n], cu[n+1]) of the time dim, clamped to
# [0, L], from its own row of init; positions outside every sequence are 0.
#
# Common flags: --lens=5,0,11 (sequence lengths), --head=H (positions
# before the first sequence), --tail=T (positions after the last one),
# --overshoot=O (the last offset is written O past L: clamped to L).
# selective_scan_packed: --dm --n --g [--d] [--z] [--dt-bias] [--init]
#   [--softplus] [--dtype=...]; inputs x, dt, A, B, C[, D][, z][, dt_bias]
#   [, init], cu; outputs y, h [N, Dm, N_state].
# linear_scan_packed: --heads --dk --dv [--decay=scalar|vector] [--delta]
#   [--beta] [--init] [--scale=F] [--reverse] [--dtype=...]; inputs q, k, v
#   [, g][, beta][, init], cu; outputs o, S [N, H, Dk, Dv].
# conv1d_packed: --c --k [--bias] [--init] [--silu] [--dtype=...]; inputs
#   x, w[, bias][, init], cu; outputs y, state [N, C, K-1].
#
#===----------------------------------------------------------------------===#
import numpy as np

from .dtypes import flag, round_to, store
from .scans import _linear_scan_ref, _selective_scan_ref


def _layout(args):
    """(offsets cu as stored, [(start, end)] clamped, total length L)."""
    lens = [int(s) for s in str(args.get("lens", "5,0,11")).split(",")]
    head, tail = int(args.get("head", 0)), int(args.get("tail", 0))
    length = head + sum(lens) + tail
    cu = np.concatenate([[0], np.cumsum(lens)]) + head
    cu[-1] += int(args.get("overshoot", 0))
    spans = []
    for n in range(len(lens)):
        start = min(max(int(cu[n]), 0), length)
        end = min(max(int(cu[n + 1]), start), length)
        spans.append((start, end))
    return cu.astype(np.int32), spans, length


class _Inputs:
    """The inputs of one case, rounded to their element types."""

    def __init__(self, dtype):
        self.dtype, self.list, self.vals = dtype, [], {}

    def add(self, name, array, dt=None):
        stored, value = round_to(array, dt or self.dtype)
        self.list.append(stored)
        self.vals[name] = value


def _sequence(vals, per_time, time_axis, start, end, n):
    """The values of sequence n: per-time tensors sliced, init's row n."""
    one = {}
    for name, value in vals.items():
        if name in per_time:
            index = [slice(None)] * value.ndim
            index[time_axis] = slice(start, end)
            one[name] = value[tuple(index)]
        elif name == "init":
            one[name] = value[n:n + 1]
        else:
            one[name] = value
    return one


def case_selective_scan_packed(args, rng):
    cu, spans, length = _layout(args)
    dm, n, groups = args.get("dm", 8), args.get("n", 4), args.get("g", 1)
    dtype = args.get("dtype", "f32")
    softplus = flag(args, "softplus")
    ins = _Inputs(dtype)
    ins.add("x", rng.standard_normal((1, length, dm)))
    if softplus:
        ins.add("dt", rng.standard_normal((1, length, dm)) * 0.5 - 2.0)
    else:
        ins.add("dt", rng.uniform(0.005, 0.1, (1, length, dm)))
    ins.add("A", -np.exp(rng.standard_normal((dm, n)) * 0.5))
    ins.add("B", rng.standard_normal((1, length, groups, n)))
    ins.add("C", rng.standard_normal((1, length, groups, n)))
    if flag(args, "d"):
        ins.add("D", rng.standard_normal(dm))
    if flag(args, "z"):
        ins.add("z", rng.standard_normal((1, length, dm)))
    if flag(args, "dt_bias"):
        ins.add("dt_bias", rng.standard_normal(dm) * 0.1)
    if flag(args, "init"):
        ins.add("init", rng.standard_normal((len(spans), dm, n)))
    ins.list.append(cu)

    y = np.zeros((1, length, dm))
    states = np.zeros((len(spans), dm, n))
    for i, (start, end) in enumerate(spans):
        one = _sequence(ins.vals, {"x", "dt", "B", "C", "z"}, 1, start, end, i)
        y[:, start:end], h = _selective_scan_ref(one, softplus)
        states[i] = h[0]
    return ins.list, [store(y, dtype), store(states, dtype)]


def case_linear_scan_packed(args, rng):
    cu, spans, length = _layout(args)
    heads, dk, dv = args.get("heads", 2), args.get("dk", 8), args.get("dv", 8)
    dtype = args.get("dtype", "f32")
    decay = args.get("decay", "none")
    delta = flag(args, "delta")
    ins = _Inputs(dtype)
    ins.add("q", rng.standard_normal((1, heads, length, dk)))
    k = rng.standard_normal((1, heads, length, dk))
    if delta:  # DeltaNet normalises keys; keeps the state bounded.
        k = k / np.linalg.norm(k, axis=-1, keepdims=True)
    else:
        k = k / np.sqrt(dk)
    ins.add("k", k)
    ins.add("v", rng.standard_normal((1, heads, length, dv)))
    if decay == "scalar":
        ins.add("g", -rng.uniform(0.01, 0.3, (1, heads, length)))
    elif decay == "vector":
        ins.add("g", -rng.uniform(0.01, 0.3, (1, heads, length, dk)))
    if flag(args, "beta"):
        ins.add("beta", rng.uniform(0.1, 0.9, (1, heads, length)))
    if flag(args, "init"):
        ins.add("init", rng.standard_normal((len(spans), heads, dk, dv)))
    ins.list.append(cu)

    o = np.zeros((1, heads, length, dv))
    states = np.zeros((len(spans), heads, dk, dv))
    for i, (start, end) in enumerate(spans):
        one = _sequence(ins.vals, {"q", "k", "v", "g", "beta"}, 2, start, end,
                        i)
        o[:, :, start:end], s = _linear_scan_ref(
            one, decay, delta, float(args.get("scale", 1.0)),
            flag(args, "reverse"))
        states[i] = s[0]
    return ins.list, [store(o, dtype), store(states, dtype)]


def case_conv1d_packed(args, rng):
    cu, spans, length = _layout(args)
    chans, taps = args.get("c", 8), args.get("k", 4)
    dtype = args.get("dtype", "f32")
    ins = _Inputs(dtype)
    ins.add("x", rng.standard_normal((1, length, chans)))
    ins.add("w", rng.standard_normal((chans, taps)) * 0.5)
    if flag(args, "bias"):
        ins.add("bias", rng.standard_normal(chans))
    if flag(args, "init"):
        ins.add("init", rng.standard_normal((len(spans), chans, taps - 1)))
    ins.list.append(cu)

    x, w = ins.vals["x"][0], ins.vals["w"]  # [L, C], [C, K]
    y = np.zeros((1, length, chans))
    states = np.zeros((len(spans), chans, taps - 1))
    for i, (start, end) in enumerate(spans):
        # The sequence's inputs after its history: [K-1 + len, C].
        history = ins.vals["init"][i].T if "init" in ins.vals else np.zeros(
            (taps - 1, chans))
        padded = np.concatenate([history, x[start:end]], axis=0)
        for t in range(end - start):
            acc = ins.vals.get("bias", np.zeros(chans)).copy()
            for tap in range(taps):
                acc = acc + w[:, tap] * padded[t + tap]
            if flag(args, "silu"):
                acc = acc / (1.0 + np.exp(-acc))
            y[0, start + t] = acc
        states[i] = padded[len(padded) - (taps - 1):].T
    return ins.list, [store(y, dtype), store(states, dtype)]
