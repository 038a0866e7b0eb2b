#===- selection.py - References for tok.topk -----------------------------===#
#
# Part of the Tokamak project. A float64 NumPy reference for tok.topk written
# from the op's definition (DESIGN-style text in TokOps.td), not from the
# lowering: per row, sort the entries by (NaN last, descending value, lower
# index), keep the first min(k, N), cut the count by the budget and by the
# mass threshold, fill the rest with index -1 and value -inf (+inf with
# --smallest).
#
# topk: --shape=AxBx...  --k  [--dim=D] [--group=G --group-dim=GD]
#   [--smallest] [--budget] [--mass=P] [--count] [--index=i32|i64]
#   [--data=normal|quant|probs|equal|ascending|special] [--dtype=...]
#   inputs: x[, budget]; outputs: values, indices[, count].
#
# Data: normal (unit normals), quant (multiples of 1/4 in [-2, 2]: ties, and
# group sums exact in f32 and bf16), probs (multiples of 1/16 in [0, 1]),
# equal (every entry 0.5), ascending (increasing along the row: every vector
# of the tiled kernel passes its filter), special (NaN, ±inf, ±0 sprinkled
# in, one all-NaN row, one row of -inf).
#
#===----------------------------------------------------------------------===#
import math

import numpy as np

from .dtypes import flag, round_to, store


def _data(kind, shape, rng):
    if kind == "normal":
        return rng.standard_normal(shape)
    if kind == "quant":
        return rng.integers(-8, 9, size=shape) / 4.0
    if kind == "probs":
        return rng.integers(0, 17, size=shape) / 16.0
    if kind == "equal":
        return np.full(shape, 0.5)
    if kind == "ascending":
        n = shape[-1]
        return np.broadcast_to(np.linspace(-4.0, 4.0, n), shape) + \
            rng.standard_normal(shape) * 1e-3
    if kind == "special":
        x = rng.standard_normal(shape)
        u = rng.random(shape)
        x[u < 0.08] = np.nan
        x[(u >= 0.08) & (u < 0.16)] = -np.inf
        x[(u >= 0.16) & (u < 0.20)] = np.inf
        x[(u >= 0.20) & (u < 0.25)] = -0.0
        x[(u >= 0.25) & (u < 0.30)] = 0.0
        flat = x.reshape(-1, shape[-1])
        flat[0, :] = np.nan
        if flat.shape[0] > 1:
            flat[1, :] = -np.inf
        return x
    raise ValueError(f"unknown --data={kind}")


def _select(row, k):
    """Indices of the first min(k, N) entries in tok.topk's order."""
    order = sorted(range(len(row)),
                   key=lambda j: (math.isnan(row[j]),
                                  0.0 if math.isnan(row[j]) else -row[j], j))
    return order[:min(k, len(row))]


def case_topk(args, rng):
    shape = [int(s) for s in str(args["shape"]).split("x")]
    rank = len(shape)
    k = args["k"]
    dim = args.get("dim", rank - 1)
    group = args.get("group", 1)
    group_dim = args.get("group_dim", 1)
    smallest = flag(args, "smallest")
    mass = args.get("mass")
    dtype = args.get("dtype", "f32")
    index = np.int64 if args.get("index", "i32") == "i64" else np.int32

    stored, x = round_to(_data(args.get("data", "normal"), shape, rng), dtype)
    inputs = [stored]
    s = x.copy()
    if group > 1:
        split = list(shape)
        split[group_dim:group_dim + 1] = [shape[group_dim] // group, group]
        s = s.reshape(split).sum(axis=group_dim + 1)
    if smallest:
        s = -s

    # Rows: every dim but `dim`, in order.
    moved = np.moveaxis(s, dim, -1)
    row_shape = moved.shape[:-1]
    rows = moved.reshape(-1, moved.shape[-1])
    budget = None
    if flag(args, "budget"):
        budget = rng.integers(-2, k + 3, size=row_shape).astype(np.int32)
        flat = budget.reshape(-1)
        flat[0] = 0
        if flat.size > 1:
            flat[1] = -1
        if flat.size > 2:
            flat[2] = k + 5
        inputs.append(budget)
        budget = flat

    fill = math.inf if smallest else -math.inf
    values = np.full((rows.shape[0], k), fill)
    indices = np.full((rows.shape[0], k), -1, dtype=index)
    counts = np.zeros(rows.shape[0], dtype=np.int32)
    for r, row in enumerate(rows):
        sel = _select(row, k)
        count = len(sel)
        if budget is not None:
            count = min(count, max(int(budget[r]), 0))
        if mass is not None:
            weights = np.where(np.isnan(row), 0.0, np.maximum(row, 0.0))
            bound = float(np.float32(mass)) * weights.sum()
            prefix, c = 0.0, 0
            for j in sel + [None]:
                # The f32 kernel must decide the same way: no prefix within
                # rounding of the bound (equal is exact in both).
                gap = abs(prefix - bound)
                assert gap == 0 or gap > 1e-5 * bound, \
                    "ambiguous mass threshold; change the seed"
                if prefix >= bound or j is None:
                    break
                prefix += weights[j]
                c += 1
            count = min(count, c)
        counts[r] = count
        for t, j in enumerate(sel[:count]):
            values[r, t] = -row[j] if smallest else row[j]
            indices[r, t] = j
    out_shape = tuple(row_shape) + (k,)
    values = np.moveaxis(values.reshape(out_shape), -1, dim)
    indices = np.moveaxis(indices.reshape(out_shape), -1, dim)
    outputs = [store(values, dtype), indices]
    if flag(args, "count"):
        outputs.append(counts.reshape(row_shape))
    return inputs, outputs


def case_snapkv_select(args, rng):
    """SnapKV's selection (Li et al. 2024, Alg. 1) on summed votes.

    --rows=R --length=P --budget=B --kernel=K [--pool=avg|max] [--run-budget]
    inputs: votes [R, P] f32 (multiples of 1/8 in [0, 4]: ties, and window
    sums exact in f32), budget [R] i32 (B, or random in [-1, B + 2] with
    --run-budget), window [K] f32 (ones: only its length is read); outputs: indices [R, B] i32 (fill -1), count [R] i32.
    Pooling as F.avg_pool1d / F.max_pool1d with stride 1 and padding K // 2
    (the average counts the padding, so it divides by K); then the top
    min(B, P, budget) pooled entries, descending, ties to the lower index.
    """
    rows, length = args["rows"], args["length"]
    k, kernel = args["budget"], args["kernel"]
    pool = args.get("pool", "avg")
    votes = rng.integers(0, 33, size=(rows, length)) / 8.0
    budget = np.full(rows, k, dtype=np.int32)
    if flag(args, "run_budget"):
        budget = rng.integers(-1, k + 3, size=rows).astype(np.int32)
        budget[0] = 0
    half = kernel // 2
    pooled = np.zeros((rows, length))
    for r in range(rows):
        for j in range(length):
            window = votes[r, max(j - half, 0):min(j + half, length - 1) + 1]
            pooled[r, j] = window.sum() / kernel if pool == "avg" \
                else window.max()
    indices = np.full((rows, k), -1, dtype=np.int32)
    counts = np.zeros(rows, dtype=np.int32)
    for r in range(rows):
        sel = _select(pooled[r], k)
        count = min(len(sel), max(int(budget[r]), 0))
        counts[r] = count
        indices[r, :count] = sel[:count]
    window = np.ones(kernel, dtype=np.float32)
    return [votes.astype(np.float32), budget, window], [indices, counts]
