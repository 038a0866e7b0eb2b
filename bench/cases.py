"""The benchmark cases: shapes, inputs, FLOP and byte counts.

Shared by run.py (Tokamak side) and torch_peer.py (PyTorch side); standard
library only. Each case names a module in bench/kernels/ and describes its
function's inputs in argument order; both sides make inputs from the same
description (shape, dtype, init). The roofline arithmetic behind `flops` and
`bytes` is explained in bench/README.md.

init strings: normal[:STD], uniform:LO:HI, fill:V, arange, randperm,
blocklist:F, blockcount:F, recentlist:N (block lists: see
tokamak-bench.cpp).
"""

import math

F32 = 4  # bytes per f32 element
I32 = 4


class Case:
    """One benchmark row.

    name:     identifier (also the module file stem and function name)
    op:       what the row shows in the op column
    dims:     full-size dimensions; quick: overrides for --quick
    inputs:   dims -> [(shape, dtype, init)] in argument order
    flops:    dims -> useful floating-point operations of one call
    bytes:    dims -> bytes that must move to/from memory in one call
    shape:    dims -> the shape column text
    torch:    the name of the PyTorch implementation in torch_peer.py
    """

    def __init__(self, name, op, dims, quick, inputs, flops, bytes, shape,
                 torch):
        self.name = name
        self.op = op
        self.dims = dims
        self.quick = quick
        self.inputs = inputs
        self.flops = flops
        self.bytes = bytes
        self.shape = shape
        self.torch = torch
        self.dtype = "f32"
        # The module (bench/kernels/<module>.mlir) and function; the case's
        # name unless a case times another lowering of the same module.
        self.module = name
        # tokamak-opt flags applied to the module first (a workaround's
        # lowering, e.g. the reference lowering of a tok op).
        self.prepare = []
        # The name of the case that times the workaround for this one: the
        # row's note gives workaround time / this time, from the same run.
        self.workaround = None

    def resolved_dims(self, quick):
        dims = dict(self.dims)
        if quick:
            dims.update(self.quick)
        return dims

    def file(self):
        return self.module + ".mlir"


def _attention_bytes(d):
    q_o = 2 * d["B"] * d["Hq"] * d["Sq"] * d["D"]
    k_v = 2 * d["B"] * d["Hkv"] * d["Skv"] * d["D"]
    return (q_o + k_v) * F32


def _causal_flops(d):
    # QK^T and PV: 2 matmuls x 2 FLOP per MAC over the visible half.
    return 4 * d["B"] * d["Hq"] * d["Sq"] * d["Skv"] * d["D"] / 2


def _decode_flops(d):
    # One query row sees every cached key.
    return 4 * d["B"] * d["Hq"] * d["Sq"] * d["Skv"] * d["D"]


def _attention_inputs(d):
    return [((d["B"], d["Hq"], d["Sq"], d["D"]), "f32", "normal"),
            ((d["B"], d["Hkv"], d["Skv"], d["D"]), "f32", "normal"),
            ((d["B"], d["Hkv"], d["Skv"], d["D"]), "f32", "normal")]


def _paged_inputs(d):
    blocks = d["Skv"] // d["BS"]
    return [((d["B"], d["Hq"], 1, d["D"]), "f32", "normal"),
            ((blocks, d["BS"], d["Hkv"], d["D"]), "f32", "normal"),
            ((blocks, d["BS"], d["Hkv"], d["D"]), "f32", "normal"),
            ((d["B"], blocks), "i32", "randperm"),
            ((d["B"],), "i32", "fill:%d" % d["Skv"])]


def _selective_scan_inputs(d):
    b, l, dm, n, g = d["B"], d["L"], d["Dm"], d["N"], d["G"]
    return [((b, l, dm), "f32", "normal"),            # x
            ((b, l, dm), "f32", "normal:0.5"),        # dt (before bias)
            ((dm, n), "f32", "uniform:-8:-1"),        # A (negative)
            ((b, l, g, n), "f32", "normal"),          # B
            ((b, l, g, n), "f32", "normal"),          # C
            ((dm,), "f32", "normal"),                 # D
            ((b, l, dm), "f32", "normal"),            # z
            ((dm,), "f32", "uniform:-4:-2")]          # dt_bias


def _selective_scan_bytes(d):
    b, l, dm, n, g = d["B"], d["L"], d["Dm"], d["N"], d["G"]
    return (4 * b * l * dm + 2 * b * l * g * n + dm * n + 2 * dm) * F32


def _linear_scan_inputs(kind):
    def inputs(d):
        b, h, l, dk, dv = d["B"], d["H"], d["L"], d["Dk"], d["Dv"]
        std = "normal:%g" % (1 / math.sqrt(dk))
        args = [((b, h, l, dk), "f32", std), ((b, h, l, dk), "f32", std),
                ((b, h, l, dv), "f32", "normal")]
        if kind == "vector":
            args.append(((b, h, l, dk), "f32", "uniform:-0.1:-0.01"))
        else:
            args.append(((b, h, l), "f32", "uniform:-0.1:-0.01"))
        if kind == "delta":
            args.append(((b, h, l), "f32", "uniform:0:1"))
        return args
    return inputs


def _linear_scan_flops(per_state_element):
    # Sequential recurrence: FLOPs per step and state element (Dk x Dv).
    return lambda d: (per_state_element * d["B"] * d["H"] * d["L"] * d["Dk"]
                      * d["Dv"])


def _linear_scan_bytes(kind):
    def count(d):
        b, h, l, dk, dv = d["B"], d["H"], d["L"], d["Dk"], d["Dv"]
        total = b * h * l * (2 * dk + 2 * dv)        # q, k, v, o
        total += b * h * l * (dk if kind == "vector" else 1)  # decay
        if kind == "delta":
            total += b * h * l                          # beta
        return total * F32
    return count


_LS_DIMS = dict(B=1, H=8, L=4096, Dk=64, Dv=64)


def _ls_shape(d):
    return "B%d H%d L%d D%d" % (d["B"], d["H"], d["L"], d["Dk"])


CASES = [
    Case("attention_causal", "attention causal",
         dict(B=1, Hq=8, Hkv=8, Sq=2048, Skv=2048, D=64),
         dict(Sq=256, Skv=256),
         _attention_inputs, _causal_flops, _attention_bytes,
         lambda d: "B%d H%d S%d D%d" % (d["B"], d["Hq"], d["Sq"], d["D"]),
         "attention"),
    Case("attention_gqa", "attention causal GQA",
         dict(B=1, Hq=32, Hkv=8, Sq=4096, Skv=4096, D=128),
         dict(Sq=256, Skv=256),
         _attention_inputs, _causal_flops, _attention_bytes,
         lambda d: "B%d Hq%d Hkv%d S%d D%d" % (d["B"], d["Hq"], d["Hkv"],
                                                d["Sq"], d["D"]),
         "attention"),
    Case("attention_decode", "attention decode",
         dict(B=1, Hq=32, Hkv=8, Sq=1, Skv=16384, D=128),
         dict(Skv=1024),
         _attention_inputs, _decode_flops, _attention_bytes,
         lambda d: "Hq%d Hkv%d Sq1 Skv%d D%d" % (d["Hq"], d["Hkv"], d["Skv"],
                                                  d["D"]),
         "attention"),
    Case("paged_attention_decode", "paged_attention decode",
         dict(B=1, Hq=32, Hkv=8, Sq=1, Skv=16384, D=128, BS=16),
         dict(Skv=1024),
         _paged_inputs, _decode_flops,
         lambda d: _attention_bytes(d) + (d["Skv"] // d["BS"] + 1) * I32,
         lambda d: "Hq%d Hkv%d Sq1 Skv%d D%d blk%d" % (
             d["Hq"], d["Hkv"], d["Skv"], d["D"], d["BS"]),
         "paged_attention"),
    Case("linear", "linear (GEMM)",
         dict(M=2048, N=2048, K=2048), dict(M=128),
         lambda d: [((d["M"], d["K"]), "f32", "normal"),
                    ((d["N"], d["K"]), "f32", "normal:0.02")],
         lambda d: 2 * d["M"] * d["N"] * d["K"],
         lambda d: (d["M"] * d["K"] + d["N"] * d["K"] + d["M"] * d["N"]) * F32,
         lambda d: "%dx%dx%d" % (d["M"], d["N"], d["K"]),
         "linear"),
    Case("linear_gemv", "linear decode (GEMV)",
         dict(M=1, N=4096, K=4096), dict(),
         lambda d: [((d["M"], d["K"]), "f32", "normal"),
                    ((d["N"], d["K"]), "f32", "normal:0.02")],
         lambda d: 2 * d["M"] * d["N"] * d["K"],
         lambda d: (d["M"] * d["K"] + d["N"] * d["K"] + d["M"] * d["N"]) * F32,
         lambda d: "%dx%dx%d" % (d["M"], d["N"], d["K"]),
         "linear"),
    Case("selective_scan", "selective_scan",
         dict(B=1, L=4096, Dm=1536, N=16, G=1), dict(L=256),
         _selective_scan_inputs,
         # exp(dt*A): 1 mul; dt*x*B: 1 mul; h = dA*h + dBx: 2; y += C*h: 2.
         lambda d: 6 * d["B"] * d["L"] * d["Dm"] * d["N"],
         _selective_scan_bytes,
         lambda d: "B%d L%d Dm%d N%d" % (d["B"], d["L"], d["Dm"], d["N"]),
         "selective_scan"),
    Case("linear_scan_scalar_decay", "linear_scan scalar decay",
         _LS_DIMS, dict(L=256), _linear_scan_inputs("scalar"),
         # S = a*S + k v^T: 2 (mul + fma); o = S^T q: 2.
         _linear_scan_flops(4), _linear_scan_bytes("scalar"), _ls_shape,
         "linear_scan"),
    Case("linear_scan_vector_decay", "linear_scan vector decay",
         _LS_DIMS, dict(L=256), _linear_scan_inputs("vector"),
         _linear_scan_flops(4), _linear_scan_bytes("vector"), _ls_shape,
         "linear_scan"),
    Case("linear_scan_delta", "linear_scan delta rule",
         _LS_DIMS, dict(L=256), _linear_scan_inputs("delta"),
         # S' = a*S: 1; u = S'^T k: 2; S = S' + k (beta(v-u))^T: 2; o: 2.
         _linear_scan_flops(7), _linear_scan_bytes("delta"), _ls_shape,
         "linear_scan"),
    Case("conv1d", "conv1d silu",
         dict(B=1, L=4096, C=1536, K=4), dict(L=512),
         lambda d: [((d["B"], d["L"], d["C"]), "f32", "normal"),
                    ((d["C"], d["K"]), "f32", "normal:0.5"),
                    ((d["C"],), "f32", "normal:0.1")],
         lambda d: 2 * d["B"] * d["L"] * d["C"] * d["K"],
         lambda d: (2 * d["B"] * d["L"] * d["C"] + d["C"] * d["K"] + d["C"])
         * F32,
         lambda d: "B%d L%d C%d K%d" % (d["B"], d["L"], d["C"], d["K"]),
         "conv1d"),
]

# Options every linear_scan case passes to the op (and the peer mirrors).
LINEAR_SCAN_SCALE = 0.125

# RMS norm fused into the following linear (tok-tile-linear's prologue). The
# FLOPs are the linear's (the norm adds ~3 per element of x); the bytes add
# the norm's weight to the linear's. eps as in the modules.
RMS_NORM_EPS = 1e-6


def _rms_norm_linear_inputs(d):
    return [((d["M"], d["K"]), "f32", "normal"),
            ((d["K"],), "f32", "uniform:0.5:1.5"),
            ((d["N"], d["K"]), "f32", "normal:0.02")]


def _rms_norm_linear_bytes(d):
    return (d["M"] * d["K"] + d["K"] + d["N"] * d["K"]
            + d["M"] * d["N"]) * F32


CASES += [
    Case("rms_norm_linear", "rms_norm + linear (GEMM)",
         dict(M=2048, N=2048, K=2048), dict(M=128),
         _rms_norm_linear_inputs,
         lambda d: 2 * d["M"] * d["N"] * d["K"],
         _rms_norm_linear_bytes,
         lambda d: "%dx%dx%d" % (d["M"], d["N"], d["K"]),
         "rms_norm_linear"),
    Case("rms_norm_linear_gemv", "rms_norm + linear decode (GEMV)",
         dict(M=1, N=4096, K=4096), dict(),
         _rms_norm_linear_inputs,
         lambda d: 2 * d["M"] * d["N"] * d["K"],
         _rms_norm_linear_bytes,
         lambda d: "%dx%dx%d" % (d["M"], d["N"], d["K"]),
         "rms_norm_linear"),
]


# tok.topk (issue 14): the selections of SnapKV (the best tokens of each kv
# head by pooled observation-window scores) and NSA (the best key blocks of
# each query, block scores summed over the query heads of a GQA group).
# Each tiled row is paired with the same module through the reference
# lowering (convert-tok-to-linalg: k rounds of a masked argmax over the
# row, the workaround without a top-k kernel), timed in the same run.
# FLOP: none useful (comparisons only; the group sum's adds are not
# counted); bytes: the scores read once, values and indices written.
TOPK = {"topk_snapkv": dict(k=1024, group=1),
        "topk_nsa": dict(k=16, group=16)}


def _topk_bytes(d):
    rows = d["B"] * d["H"] // d["G"] * d.get("Sq", 1)
    return (d["B"] * d["H"] * d.get("Sq", 1) * d["N"] + 2 * rows * d["K"]) \
        * F32


def _topk_cases(name, op, dims, quick, inputs, shape):
    tiled = Case(name, op, dims, quick, inputs, lambda d: 0, _topk_bytes,
                 shape, name)
    ref = Case(name + "_reference", op + " (reference lowering)", dims,
               quick, inputs, lambda d: 0, _topk_bytes, shape, name)
    ref.module = name
    ref.prepare = ["--convert-tok-to-linalg"]
    tiled.workaround = ref.name
    return [tiled, ref]


CASES += _topk_cases(
    "topk_snapkv", "topk SnapKV (per kv head)",
    dict(B=1, H=32, G=1, N=8192, K=TOPK["topk_snapkv"]["k"]), dict(N=2048),
    lambda d: [((d["B"], d["H"], d["N"]), "f32", "normal")],
    lambda d: "B%d H%d N%d k%d" % (d["B"], d["H"], d["N"], d["K"]))
CASES += _topk_cases(
    "topk_nsa", "topk NSA (group-shared blocks)",
    dict(B=1, H=64, G=TOPK["topk_nsa"]["group"], Sq=1024, N=128,
         K=TOPK["topk_nsa"]["k"]), dict(Sq=128),
    lambda d: [((d["B"], d["H"], d["Sq"], d["N"]), "f32", "normal")],
    lambda d: "B%d Hq%d G%d Sq%d blocks%d k%d" % (
        d["B"], d["H"], d["G"], d["Sq"], d["N"], d["K"]))


# tok.attention's stats result (issue 14): SnapKV's prefill needs the
# probability column sums of the last W query rows per kv head. The row
# times tok.attention with the stats computed in the same kernel; its
# workaround (attention_stats_workaround.mlir) runs the same attention
# without stats, then recomputes the window's scores, softmax and column
# sums with upstream linalg ops, timed in the same run. FLOP: the causal
# attention's plus the window's QK^T (2 W Skv D per query head); bytes: the
# attention's plus the stats written.
ATTENTION_STATS_WINDOW = 32


def _stats_flops(d):
    return _causal_flops(d) + 2 * d["B"] * d["Hq"] * ATTENTION_STATS_WINDOW \
        * d["Skv"] * d["D"]


def _stats_bytes(d):
    return _attention_bytes(d) + d["B"] * d["Hkv"] * d["Skv"] * F32


def _stats_cases():
    dims = dict(B=1, Hq=32, Hkv=8, Sq=4096, Skv=4096, D=128)
    quick = dict(Sq=256, Skv=256)
    shape = lambda d: "B%d Hq%d Hkv%d S%d D%d W%d" % (  # noqa: E731
        d["B"], d["Hq"], d["Hkv"], d["Sq"], d["D"], ATTENTION_STATS_WINDOW)
    fused = Case("attention_stats", "attention causal GQA + stats",
                 dims, quick, _attention_inputs, _stats_flops, _stats_bytes,
                 shape, "attention_stats")
    work = Case("attention_stats_workaround",
                "attention causal GQA + stats (second pass, upstream ops)",
                dims, quick, _attention_inputs, _stats_flops, _stats_bytes,
                shape, "attention_stats")
    fused.workaround = work.name
    return [fused, work]


CASES += _stats_cases()


# Block-sparse attention (issue 14: NSA's selected branch, Quest, MoBA):
# query block qb (64 rows) visits 1/8 of the key blocks (64 keys) that dense
# causal attention visits, ceil((qb + 1) / 8): its diagonal block and random
# earlier ones (init blocklist:8 / blockcount:8). Paired with dense causal
# attention at the same shape, timed in the same run: the note gives dense
# time / block-sparse time ("N.Nx faster than the attention_causal_16k row").
# FLOP: QK^T and PV over the listed blocks (4 FLOP per query-key pair and
# head dim), the diagonal blocks counted half, as the causal rows count them.
def _blocksparse_blocks(d):
    n = d["Sq"] // d["BQ"]
    return sum((qb + d["F"]) // d["F"] for qb in range(n)) - n / 2


def _blocksparse_inputs(d):
    n = d["Sq"] // d["BQ"]
    sel = (n + d["F"] - 1) // d["F"]
    return _attention_inputs(d) + [
        ((d["B"], d["Hkv"], n, sel), "i32", "blocklist:%d" % d["F"]),
        ((d["B"], d["Hkv"], n), "i32", "blockcount:%d" % d["F"])]


_BLOCKSPARSE_DIMS = dict(B=1, Hq=8, Hkv=8, Sq=16384, Skv=16384, D=64, BQ=64,
                         F=8)


def _blocksparse_cases():
    shape = lambda d: "B%d H%d S%d D%d blk%d 1/%d" % (  # noqa: E731
        d["B"], d["Hq"], d["Sq"], d["D"], d["BQ"], d["F"])
    sparse = Case("attention_blocksparse", "attention block-sparse causal",
                  _BLOCKSPARSE_DIMS, dict(Sq=1024, Skv=1024),
                  _blocksparse_inputs,
                  lambda d: 4 * d["B"] * d["Hq"] * d["BQ"] ** 2 * d["D"]
                  * _blocksparse_blocks(d),
                  lambda d: _attention_bytes(d) + d["B"] * d["Hkv"] * (
                      d["Sq"] // d["BQ"]) * 2 * I32,
                  shape, "attention_blocksparse")
    dense = Case("attention_causal_16k", "attention causal (dense baseline)",
                 _BLOCKSPARSE_DIMS, dict(Sq=1024, Skv=1024),
                 _attention_inputs, _causal_flops, _attention_bytes,
                 lambda d: "B%d H%d S%d D%d" % (d["B"], d["Hq"], d["Sq"],
                                                d["D"]),
                 "attention")
    dense.module = "attention_causal"
    sparse.workaround = dense.name
    return [sparse, dense]


CASES += _blocksparse_cases()


# Sparse paged decode (issue 14, Quest): one query token over a 32k-token
# paged cache (blocks of 16, Hq 32 / Hkv 8, D128) whose per-kv-head lists
# name 1/8 of the logical key blocks of 64 tokens: the newest block and
# random earlier ones (init recentlist). Paired with dense paged decode at
# the same shape (paged_attention_decode.mlir), timed in the same run: the
# note gives dense time / sparse time. FLOP and bytes count the listed
# blocks only (keys and values of 1/8 of the cache).
_PAGED_SPARSE_DIMS = dict(B=1, Hq=32, Hkv=8, Sq=1, Skv=32768, D=128, BS=16,
                          BK=64, F=8)


def _paged_sparse_sel(d):
    return d["Skv"] // d["BK"] // d["F"]


def _paged_sparse_inputs(d):
    sel = _paged_sparse_sel(d)
    return _paged_inputs(d) + [
        ((d["B"], d["Hkv"], sel), "i32",
         "recentlist:%d" % (d["Skv"] // d["BK"])),
        ((d["B"], d["Hkv"]), "i32", "fill:%d" % sel)]


def _paged_sparse_cases():
    listed = lambda d: dict(d, Skv=_paged_sparse_sel(d) * d["BK"])  # noqa
    sparse = Case("paged_attention_blocksparse",
                  "paged_attention decode, block lists",
                  _PAGED_SPARSE_DIMS, dict(Skv=1024),
                  _paged_sparse_inputs,
                  lambda d: _decode_flops(listed(d)),
                  lambda d: _attention_bytes(listed(d)) + (
                      d["Skv"] // d["BS"] + 1) * I32 + d["B"] * d["Hkv"] * (
                          _paged_sparse_sel(d) + 1) * I32,
                  lambda d: "Hq%d Hkv%d Sq1 Skv%d D%d blk%d 1/%d" % (
                      d["Hq"], d["Hkv"], d["Skv"], d["D"], d["BK"], d["F"]),
                  "paged_attention_blocksparse")
    dense = Case("paged_attention_decode_32k",
                 "paged_attention decode (dense baseline)",
                 _PAGED_SPARSE_DIMS, dict(Skv=1024),
                 _paged_inputs, _decode_flops,
                 lambda d: _attention_bytes(d) + (d["Skv"] // d["BS"] + 1)
                 * I32,
                 lambda d: "Hq%d Hkv%d Sq1 Skv%d D%d blk%d" % (
                     d["Hq"], d["Hkv"], d["Skv"], d["D"], d["BS"]),
                 "paged_attention")
    dense.module = "paged_attention_decode"
    sparse.workaround = dense.name
    return [sparse, dense]


CASES += _paged_sparse_cases()


# The same pair in the per-head layout: one-head blocks [NumBlocks, 16, 1,
# D], tables [B, Hkv, MaxBlocks] (a permutation of every one-head block) and
# lens [B, Hkv]. A head's block is one contiguous page here; in the shared
# layout a head's rows are 512-byte pieces strided by the token rows of all
# heads, which a per-head list cannot read in order.
def _paged_perhead_inputs(d):
    blocks = d["Skv"] // d["BS"]
    return [((d["B"], d["Hq"], 1, d["D"]), "f32", "normal"),
            ((blocks * d["Hkv"], d["BS"], 1, d["D"]), "f32", "normal"),
            ((blocks * d["Hkv"], d["BS"], 1, d["D"]), "f32", "normal"),
            ((d["B"], d["Hkv"], blocks), "i32", "randperm"),
            ((d["B"], d["Hkv"]), "i32", "fill:%d" % d["Skv"])]


def _paged_perhead_sparse_inputs(d):
    sel = _paged_sparse_sel(d)
    return _paged_perhead_inputs(d) + [
        ((d["B"], d["Hkv"], sel), "i32",
         "recentlist:%d" % (d["Skv"] // d["BK"])),
        ((d["B"], d["Hkv"]), "i32", "fill:%d" % sel)]


def _paged_perhead_cases():
    sparse, dense = _paged_sparse_cases()
    sparse.name = "paged_attention_blocksparse_perhead"
    sparse.op = "paged_attention decode, block lists, per-head layout"
    sparse.inputs = _paged_perhead_sparse_inputs
    sparse.module = sparse.name
    sparse.torch = sparse.name
    dense.name = "paged_attention_decode_perhead"
    dense.op = "paged_attention decode, per-head layout (dense baseline)"
    dense.inputs = _paged_perhead_inputs
    dense.module = dense.name
    dense.torch = "paged_attention_perhead"
    sparse.workaround = dense.name
    return [sparse, dense]


CASES += _paged_perhead_cases()
