#===- scans.py - References for the scan ops -----------------------------===#
#
# Part of the Tokamak project. float64 NumPy references for
# tok.selective_scan, tok.linear_scan and tok.assoc_scan, each written as the
# plain sequential recurrence of DESIGN.md §4.3-4.5 (one time step at a
# time), independently of how the compiler lowers them.
#
# selective_scan: --b --l --dm --n --g [--d] [--z] [--dt-bias] [--init]
#   [--softplus] [--no-final] [--dtype=f32|f16|bf16] [--state-dtype=...]
#   inputs x, dt, A, B, C[, D][, z][, dt_bias][, init]; outputs y[, h_L].
# linear_scan: --b --heads --l --dk --dv [--decay=scalar|vector] [--delta]
#   [--beta] [--init] [--scale=F] [--reverse] [--no-final] [--dtype=...]
#   [--state-dtype=...] [--strong-every=N]
#   inputs q, k, v[, g][, beta][, init]; outputs o[, S_final].
# assoc_scan: --kind=recurrence|cumsum|aaren --shape=2,64,8 --dim=D
#   [--reverse] [--dtype=...]; inputs and outputs: the N scanned tensors.
#
#===----------------------------------------------------------------------===#
import numpy as np

from .dtypes import flag, round_to, store


def _softplus(x):
    return np.logaddexp(0.0, x)


def _shape(text):
    return tuple(int(s) for s in str(text).split(","))


def case_selective_scan(args, rng):
    bsz, length = args.get("b", 2), args.get("l", 16)
    dm, n, groups = args.get("dm", 8), args.get("n", 4), args.get("g", 1)
    dtype = args.get("dtype", "f32")
    state_dtype = args.get("state_dtype", dtype)
    softplus = flag(args, "softplus")

    inputs, vals = [], {}

    def add(name, array, dt=dtype):
        stored, value = round_to(array, dt)
        inputs.append(stored)
        vals[name] = value

    add("x", rng.standard_normal((bsz, length, dm)))
    if softplus:
        add("dt", rng.standard_normal((bsz, length, dm)) * 0.5 - 2.0)
    else:
        add("dt", rng.uniform(0.005, 0.1, (bsz, length, dm)))
    add("A", -np.exp(rng.standard_normal((dm, n)) * 0.5))
    add("B", rng.standard_normal((bsz, length, groups, n)))
    add("C", rng.standard_normal((bsz, length, groups, n)))
    if flag(args, "d"):
        add("D", rng.standard_normal(dm))
    if flag(args, "z"):
        add("z", rng.standard_normal((bsz, length, dm)))
    if flag(args, "dt_bias"):
        add("dt_bias", rng.standard_normal(dm) * 0.1)
    if flag(args, "init"):
        add("init", rng.standard_normal((bsz, dm, n)), state_dtype)

    y, h = _selective_scan_ref(vals, softplus)
    outputs = [store(y, dtype)]
    if not flag(args, "no_final"):
        outputs.append(store(h, state_dtype))
    return inputs, outputs


def _selective_scan_ref(vals, softplus):
    """y [B, L, Dm] and h_L [B, Dm, N] of DESIGN §4.3, step by step."""
    x, a = vals["x"], vals["A"]
    bsz, length, dm = x.shape
    n, groups = a.shape[1], vals["B"].shape[2]
    delta = vals["dt"] + vals.get("dt_bias", 0.0)
    if softplus:
        delta = _softplus(delta)
    group_of = np.arange(dm) // (dm // groups)
    bm = vals["B"][:, :, group_of, :]  # [B, L, Dm, N]
    cm = vals["C"][:, :, group_of, :]
    h = vals["init"].copy() if "init" in vals else np.zeros((bsz, dm, n))
    y = np.zeros((bsz, length, dm))
    for t in range(length):
        d = delta[:, t, :, None]
        h = np.exp(d * a) * h + d * bm[:, t] * x[:, t, :, None]
        y[:, t] = (cm[:, t] * h).sum(-1)
    if "D" in vals:
        y = y + vals["D"] * x
    if "z" in vals:
        z = vals["z"]
        y = y * z / (1.0 + np.exp(-z))
    return y, h


def case_linear_scan(args, rng):
    bsz, heads, length = args.get("b", 1), args.get("heads", 2), args.get("l", 16)
    dk, dv = args.get("dk", 8), args.get("dv", 8)
    dtype = args.get("dtype", "f32")
    state_dtype = args.get("state_dtype", dtype)
    decay = args.get("decay", "none")
    delta = flag(args, "delta")
    scale = float(args.get("scale", 1.0))

    inputs, vals = [], {}

    def add(name, array, dt=dtype):
        stored, value = round_to(array, dt)
        inputs.append(stored)
        vals[name] = value

    add("q", rng.standard_normal((bsz, heads, length, dk)))
    k = rng.standard_normal((bsz, heads, length, dk))
    if delta:  # DeltaNet normalises keys; keeps the state bounded.
        k = k / np.linalg.norm(k, axis=-1, keepdims=True)
    else:
        k = k / np.sqrt(dk)
    add("k", k)
    add("v", rng.standard_normal((bsz, heads, length, dv)))
    # --strong-every=N: steps in every other block of N decay strongly
    # (e^-3 .. e^-6 per step), so that chunked kernels meet both mild and
    # overwhelming decays within one sequence.
    strong_every = int(args.get("strong_every", 0))

    def decays(shape):
        g = -rng.uniform(0.01, 0.3, shape)
        if strong_every:
            strong = (np.arange(length) // strong_every) % 2 == 1
            g[:, :, strong] = -rng.uniform(3.0, 6.0, g[:, :, strong].shape)
        return g

    if decay == "scalar":
        add("g", decays((bsz, heads, length)))
    elif decay == "vector":
        add("g", decays((bsz, heads, length, dk)))
    if flag(args, "beta"):
        add("beta", rng.uniform(0.1, 0.9, (bsz, heads, length)))
    if flag(args, "init"):
        add("init", rng.standard_normal((bsz, heads, dk, dv)), state_dtype)

    o, state = _linear_scan_ref(vals, decay, delta, scale,
                                flag(args, "reverse"))
    outputs = [store(o, dtype)]
    if not flag(args, "no_final"):
        outputs.append(store(state, state_dtype))
    return inputs, outputs


def _linear_scan_ref(vals, decay, delta, scale, reverse):
    """o [B, H, L, Dv] and the final state of DESIGN §4.4, step by step."""
    q, k, v = vals["q"], vals["k"], vals["v"]
    bsz, heads, length, dk = q.shape
    dv = v.shape[3]
    s = vals["init"].copy() if "init" in vals else np.zeros(
        (bsz, heads, dk, dv))
    o = np.zeros((bsz, heads, length, dv))
    steps = range(length - 1, -1, -1) if reverse else range(length)
    for t in steps:
        if decay == "scalar":
            s = np.exp(vals["g"][:, :, t])[:, :, None, None] * s
        elif decay == "vector":
            s = np.exp(vals["g"][:, :, t])[:, :, :, None] * s
        kt, vt = k[:, :, t], v[:, :, t]
        if delta:
            u = np.einsum("bhij,bhi->bhj", s, kt)
            beta = vals["beta"][:, :, t][:, :, None, None] if "beta" in vals \
                else 1.0
            s = s + beta * kt[:, :, :, None] * (vt - u)[:, :, None, :]
        else:
            s = s + kt[:, :, :, None] * vt[:, :, None, :]
        o[:, :, t] = scale * np.einsum("bhij,bhi->bhj", s, q[:, :, t])
    return o, s


def case_assoc_scan(args, rng):
    kind = args.get("kind", "cumsum")
    shape = _shape(args.get("shape", "2,16,4"))
    dim = args.get("dim", 1)
    dtype = args.get("dtype", "f32")
    reverse = flag(args, "reverse")
    if kind == "cumsum":
        raw = [rng.standard_normal(shape)]
    elif kind == "recurrence":  # h_t = a_t h_{t-1} + b_t as pairs (a, b).
        raw = [rng.uniform(0.5, 1.0, shape), rng.standard_normal(shape)]
    elif kind == "aaren":  # Prefix softmax (m, u, w), leaves (s, 1, v).
        raw = [rng.standard_normal(shape) * 3.0, np.ones(shape),
               rng.standard_normal(shape)]
    else:
        raise ValueError(f"unknown kind {kind}")
    pairs = [round_to(r, dtype) for r in raw]
    inputs = [p[0] for p in pairs]
    xs = [np.moveaxis(p[1], dim, 0) for p in pairs]
    length = xs[0].shape[0]
    order = list(range(length))
    if reverse:
        order.reverse()

    def combine(e, l):
        if kind == "cumsum":
            return [e[0] + l[0]]
        if kind == "recurrence":
            return [e[0] * l[0], l[0] * e[1] + l[1]]
        m = np.maximum(e[0], l[0])
        fe, fl = np.exp(e[0] - m), np.exp(l[0] - m)
        return [m, e[1] * fe + l[1] * fl, e[2] * fe + l[2] * fl]

    outs = [np.zeros_like(x) for x in xs]
    acc = None
    for t in order:
        cur = [x[t] for x in xs]
        acc = cur if acc is None else combine(acc, cur)
        for o, a in zip(outs, acc):
            o[t] = a
    return inputs, [store(np.moveaxis(o, 0, dim), dtype) for o in outs]
