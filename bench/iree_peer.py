#!/usr/bin/env python3
"""IREE (llvm-cpu) peers of the Tokamak benchmark kernels.

Run under the peer venv (`make peers`, .venv-peers/bin/python, which has
iree-base-compiler and iree-base-runtime). For each case it can express,
writes an MLIR module of linalg / iree_linalg_ext ops on the case's shapes
(the inputs are function arguments, as on the Tokamak side), compiles it
with iree-compile for the local CPU (IREE_FLAGS below: llvm-cpu, the host
CPU, data tiling for the matmuls) and times it with the IREE runtime's
Python API on the local-task driver with --threads workers
(--task_topology_group_count), on device arrays made once per input set.

    .venv-peers/bin/python bench/iree_peer.py --spec=SPEC.json

SPEC.json is torch_peer.py's (written by run.py), each case with its
"dims" too. Prints one JSON object per line: {"event": "peer", ...},
then per case "compiled", "inputs", "warmup", "result" (min_ms,
median_ms, ...) or "error" (stage, message); a case IREE cannot express is
an "error" event with stage "unsupported" and the reason. With --check-dir,
also a "check" event comparing Tokamak's dumped result with IREE's on the
same inputs. The timing rules are torch_peer.py's (tokamak-bench's).
"""

import argparse
import json
import math
import os
import sys
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases  # noqa: E402
from peer_timing import emit, time_case  # noqa: E402

# iree-compile flags for every module: the local CPU through LLVM, code for
# the host's CPU (as Tokamak's kernels are). Data tiling (packed mmt4d
# layouts) is added for the modules with a matrix-matrix product (M > 1):
# it is off by default in IREE 3.13; on this machine it made the 2048^3
# GEMM 1.35x faster, but a GEMV 11x slower (the weight, a function
# argument, is repacked on every call), so GEMVs go without it.
IREE_FLAGS = [
    "--iree-hal-target-device=local",
    "--iree-hal-local-target-device-backends=llvm-cpu",
    "--iree-llvmcpu-target-cpu=host",
]
DATA_TILING_FLAGS = ["--iree-opt-data-tiling"]

# Cases IREE has no op for, with the reason (kept in the JSON).
UNSUPPORTED = {
    "selective_scan": "no IREE op for a sequential scan: the recurrence "
                      "would be a host loop of one dispatch per step",
    "linear_scan": "no IREE op for a sequential scan: the recurrence would "
                   "be a host loop of one dispatch per step",
    "topk_snapkv": "no module written for iree_linalg_ext.topk yet",
    "topk_nsa": "no module written for iree_linalg_ext.topk yet",
    "attention_stats": "iree_linalg_ext.attention returns no probability "
                       "statistics; no module written for the second pass",
    "attention_blocksparse": "iree_linalg_ext.attention has no block lists: "
                             "it would compute the dense scores and mask "
                             "them",
}


def tensor(shape, dtype="f32"):
    return "tensor<%sx%s>" % ("x".join(str(s) for s in shape), dtype)


def matmul_nt(lhs, rhs, m, n, k):
    """MLIR lines for out[m, n] = sum_k lhs[m, k] * rhs[n, k] (linalg.matmul
    with a transposed right-hand side, F.linear's layout). Result %mm."""
    out = tensor((m, n))
    return """
  %zero = arith.constant 0.0 : f32
  %mm_init = tensor.empty() : {out}
  %mm_fill = linalg.fill ins(%zero : f32) outs(%mm_init : {out}) -> {out}
  %mm = linalg.matmul indexing_maps = [
      affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
      affine_map<(m, n, k) -> (m, n)>]
    ins({lhs}, {rhs} : {lt}, {rt}) outs(%mm_fill : {out}) -> {out}""".format(
        out=out, lhs=lhs, rhs=rhs, lt=tensor((m, k)), rt=tensor((n, k)))


def linear_module(d):
    m, n, k = d["M"], d["N"], d["K"]
    return """func.func @main(%x: {xt}, %w: {wt}) -> {ot} {{{mm}
  return %mm : {ot}
}}
""".format(xt=tensor((m, k)), wt=tensor((n, k)), ot=tensor((m, n)),
           mm=matmul_nt("%x", "%w", m, n, k))


def rms_norm_linear_module(d):
    """x * rsqrt(mean(x^2) + eps) * g, then the matmul: two linalg.generic
    ops (a row reduction, an elementwise scale) and linalg.matmul."""
    m, n, k = d["M"], d["N"], d["K"]
    xt, rt = tensor((m, k)), tensor((m,))
    return """func.func @main(%x: {xt}, %g: {gt}, %w: {wt}) -> {ot} {{
  %z = arith.constant 0.0 : f32
  %kf = arith.constant {k}.0 : f32
  %eps = arith.constant {eps:e} : f32
  %ss_init = tensor.empty() : {rt}
  %ss_fill = linalg.fill ins(%z : f32) outs(%ss_init : {rt}) -> {rt}
  %ss = linalg.generic {{indexing_maps = [affine_map<(m, k) -> (m, k)>,
                                         affine_map<(m, k) -> (m)>],
                        iterator_types = ["parallel", "reduction"]}}
      ins(%x : {xt}) outs(%ss_fill : {rt}) {{
    ^bb0(%a: f32, %acc: f32):
      %sq = arith.mulf %a, %a : f32
      %s = arith.addf %sq, %acc : f32
      linalg.yield %s : f32
  }} -> {rt}
  %h_init = tensor.empty() : {xt}
  %h = linalg.generic {{indexing_maps = [affine_map<(m, k) -> (m, k)>,
                                        affine_map<(m, k) -> (m)>,
                                        affine_map<(m, k) -> (k)>,
                                        affine_map<(m, k) -> (m, k)>],
                       iterator_types = ["parallel", "parallel"]}}
      ins(%x, %ss, %g : {xt}, {rt}, {gt}) outs(%h_init : {xt}) {{
    ^bb0(%a: f32, %s: f32, %gk: f32, %o: f32):
      %mean = arith.divf %s, %kf : f32
      %me = arith.addf %mean, %eps : f32
      %r = math.rsqrt %me : f32
      %ar = arith.mulf %a, %r : f32
      %y = arith.mulf %ar, %gk : f32
      linalg.yield %y : f32
  }} -> {xt}{mm}
  return %mm : {ot}
}}
""".format(xt=xt, rt=rt, gt=tensor((k,)), wt=tensor((n, k)),
           ot=tensor((m, n)), k=k, eps=cases.RMS_NORM_EPS,
           mm=matmul_nt("%h", "%w", m, n, k))


def conv1d_module(d):
    """Causal depthwise conv1d + bias + SiLU over x [B, L, C], w [C, K]:
    tensor.pad (K-1 in front), linalg.depthwise_conv_1d_nwc_wc on the
    transposed filter, one linalg.generic for bias and SiLU."""
    b, l, c, k = d["B"], d["L"], d["C"], d["K"]
    xt, yt = tensor((b, l, c)), tensor((b, l, c))
    return """func.func @main(%x: {xt}, %w: {wt}, %bias: {bt}) -> {yt} {{
  %z = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %xp = tensor.pad %x low[0, {km1}, 0] high[0, 0, 0] {{
    ^bb0(%i: index, %j: index, %q: index):
      tensor.yield %z : f32
  }} : {xt} to {pt}
  %wt_init = tensor.empty() : {wtt}
  %wtr = linalg.transpose ins(%w : {wt}) outs(%wt_init : {wtt})
      permutation = [1, 0]
  %c_init = tensor.empty() : {yt}
  %c_fill = linalg.fill ins(%z : f32) outs(%c_init : {yt}) -> {yt}
  %conv = linalg.depthwise_conv_1d_nwc_wc
      {{dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>}}
      ins(%xp, %wtr : {pt}, {wtt}) outs(%c_fill : {yt}) -> {yt}
  %y_init = tensor.empty() : {yt}
  %y = linalg.generic {{indexing_maps = [
        affine_map<(b, l, c) -> (b, l, c)>, affine_map<(b, l, c) -> (c)>,
        affine_map<(b, l, c) -> (b, l, c)>],
      iterator_types = ["parallel", "parallel", "parallel"]}}
      ins(%conv, %bias : {yt}, {bt}) outs(%y_init : {yt}) {{
    ^bb0(%v: f32, %bb: f32, %o: f32):
      %s = arith.addf %v, %bb : f32
      %n = arith.negf %s : f32
      %e = math.exp %n : f32
      %den = arith.addf %one, %e : f32
      %r = arith.divf %s, %den : f32
      linalg.yield %r : f32
  }} -> {yt}
  return %y : {yt}
}}
""".format(xt=xt, yt=yt, wt=tensor((c, k)), wtt=tensor((k, c)),
           bt=tensor((c,)), pt=tensor((b, l + k - 1, c)), km1=k - 1)


ATTENTION_MAPS = """<indexing_maps = [
        affine_map<(b, m, n, k1, k2) -> (b, m, k1)>,
        affine_map<(b, m, n, k1, k2) -> (b, k2, k1)>,
        affine_map<(b, m, n, k1, k2) -> (b, k2, n)>,
        affine_map<(b, m, n, k1, k2) -> ()>,{mask_map}
        affine_map<(b, m, n, k1, k2) -> (b, m, n)>]>"""


def attention_core(d, q, k, v, mask=None, mask_type=None):
    """iree_linalg_ext.attention over the folded layout: batch = B*Hkv, the
    rep = Hq/Hkv query heads of a kv head folded into the rows (m = rep*Sq,
    as torch_peer.py folds them; K and V are never repeated). `q` is
    [B*Hkv, rep*Sq, D], `k`/`v` [B*Hkv, Skv, D]; result %att."""
    bh = d["B"] * d["Hkv"]
    mrows = d["Hq"] // d["Hkv"] * d["Sq"]
    qt, kt = tensor((bh, mrows, d["D"])), tensor((bh, d["Skv"], d["D"]))
    mask_map = ("\n        affine_map<(b, m, n, k1, k2) -> (m, k2)>,"
                if mask else "")
    ins = "%s, %s, %s, %%scale" % (q, k, v) + (", " + mask if mask else "")
    types = "%s, %s, %s, f32" % (qt, kt, kt) + (
        ", " + mask_type if mask else "")
    return """
  %scale = arith.constant {scale:e} : f32
  %att_init = tensor.empty() : {qt}
  %att = iree_linalg_ext.attention {maps}
      ins({ins} : {types}) outs(%att_init : {qt}) {{
    ^bb0(%score: f32):
      iree_linalg_ext.yield %score : f32
  }} -> {qt}""".format(scale=d["D"] ** -0.5, qt=qt, ins=ins, types=types,
                      maps=ATTENTION_MAPS.format(mask_map=mask_map))


def causal_mask(d):
    """An i1 [rep*Sq, Skv] mask, true where the key is visible: key j of
    query row r*Sq + i is visible when j <= i + Skv - Sq (bottom-right
    aligned, as tok.attention and torch_peer.py). Result %mask."""
    mrows = d["Hq"] // d["Hkv"] * d["Sq"]
    mt = tensor((mrows, d["Skv"]), "i1")
    return """
  %mask_init = tensor.empty() : {mt}
  %mask = linalg.generic {{indexing_maps = [affine_map<(m, j) -> (m, j)>],
                          iterator_types = ["parallel", "parallel"]}}
      outs(%mask_init : {mt}) {{
    ^bb0(%o: i1):
      %m = linalg.index 0 : index
      %j = linalg.index 1 : index
      %sq = arith.constant {sq} : index
      %off = arith.constant {off} : index
      %i = arith.remui %m, %sq : index
      %lim = arith.addi %i, %off : index
      %vis = arith.cmpi ule, %j, %lim : index
      linalg.yield %vis : i1
  }} -> {mt}""".format(mt=mt, sq=d["Sq"], off=d["Skv"] - d["Sq"]), mt


def attention_module(d):
    """q [B, Hq, Sq, D], k/v [B, Hkv, Skv, D] -> o [B, Hq, Sq, D]: reshapes
    to the folded layout (no copies), the causal mask when Sq > 1 (a decode
    query sees every key), iree_linalg_ext.attention, reshape back."""
    b, hq, hkv, sq, skv, dd = (d["B"], d["Hq"], d["Hkv"], d["Sq"], d["Skv"],
                               d["D"])
    rep = hq // hkv
    qt, kt = tensor((b, hq, sq, dd)), tensor((b, hkv, skv, dd))
    fq, fk = tensor((b * hkv, rep * sq, dd)), tensor((b * hkv, skv, dd))
    mask_lines, mask, mask_type = "", None, None
    if sq > 1:
        mask_lines, mask_type = causal_mask(d)
        mask = "%mask"
    return """func.func @main(%q: {qt}, %k: {kt}, %v: {kt}) -> {qt} {{
  %q4 = tensor.expand_shape %q [[0], [1, 2], [3], [4]]
      output_shape [{b}, {hkv}, {rep}, {sq}, {dd}] : {qt} into {q5t}
  %qf = tensor.collapse_shape %q4 [[0, 1], [2, 3], [4]] : {q5t} into {fq}
  %kf = tensor.collapse_shape %k [[0, 1], [2], [3]] : {kt} into {fk}
  %vf = tensor.collapse_shape %v [[0, 1], [2], [3]] : {kt} into {fk}{mask}{att}
  %o5 = tensor.expand_shape %att [[0, 1], [2, 3], [4]]
      output_shape [{b}, {hkv}, {rep}, {sq}, {dd}] : {fq} into {q5t}
  %o = tensor.collapse_shape %o5 [[0], [1, 2], [3], [4]] : {q5t} into {qt}
  return %o : {qt}
}}
""".format(qt=qt, kt=kt, fq=fq, fk=fk, b=b, hkv=hkv, rep=rep, sq=sq, dd=dd,
           q5t=tensor((b, hkv, rep, sq, dd)), mask=mask_lines,
           att=attention_core(d, "%qf", "%kf", "%vf", mask, mask_type))


def paged_attention_module(d):
    """Decode over a paged KV cache: q [B, Hq, 1, D], caches [blocks, BS,
    Hkv, D], block table [B, blocks] (i32), lens [B] (i32). One
    linalg.generic gathers each sequence's K and V through the block table
    (tensor.extract) into [B*Hkv, Skv, D]; keys at or past lens[b] are
    masked out; then iree_linalg_ext.attention. B must be 1 (the mask is
    shared by the batch dimension)."""
    b, hq, hkv, skv, dd, bs = (d["B"], d["Hq"], d["Hkv"], d["Skv"], d["D"],
                               d["BS"])
    if b != 1:
        raise NotImplementedError("paged decode with B > 1")
    blocks = skv // bs
    rep = hq // hkv
    qt = tensor((b, hq, 1, dd))
    ct = tensor((blocks, bs, hkv, dd))
    tt, lt = tensor((b, blocks), "i32"), tensor((b,), "i32")
    fq, fk = tensor((b * hkv, rep, dd)), tensor((b * hkv, skv, dd))
    mt = tensor((rep, skv), "i1")
    gather = """
  %{name}_init = tensor.empty() : {fk}
  %{name}g = linalg.generic {{indexing_maps = [affine_map<(h, s, x) -> (h, s, x)>],
                             iterator_types = ["parallel", "parallel", "parallel"]}}
      outs(%{name}_init : {fk}) {{
    ^bb0(%o: f32):
      %h = linalg.index 0 : index
      %s = linalg.index 1 : index
      %x = linalg.index 2 : index
      %c0 = arith.constant 0 : index
      %cbs = arith.constant {bs} : index
      %blk = arith.divui %s, %cbs : index
      %off = arith.remui %s, %cbs : index
      %id32 = tensor.extract %table[%c0, %blk] : {tt}
      %id = arith.index_cast %id32 : i32 to index
      %val = tensor.extract %{name}c[%id, %off, %h, %x] : {ct}
      linalg.yield %val : f32
  }} -> {fk}"""
    return """func.func @main(%q: {qt}, %kc: {ct}, %vc: {ct}, %table: {tt},
                %lens: {lt}) -> {qt} {{
  %q2 = tensor.collapse_shape %q [[0, 1, 2], [3]] : {qt} into {q2t}
  %qf = tensor.expand_shape %q2 [[0, 1], [2]] output_shape [{hkv}, {rep}, {dd}]
      : {q2t} into {fq}{gk}{gv}
  %mask_init = tensor.empty() : {mt}
  %mask = linalg.generic {{indexing_maps = [affine_map<(m, j) -> (m, j)>],
                          iterator_types = ["parallel", "parallel"]}}
      outs(%mask_init : {mt}) {{
    ^bb0(%o: i1):
      %j = linalg.index 1 : index
      %c0 = arith.constant 0 : index
      %n32 = tensor.extract %lens[%c0] : {lt}
      %n = arith.index_cast %n32 : i32 to index
      %vis = arith.cmpi ult, %j, %n : index
      linalg.yield %vis : i1
  }} -> {mt}{att}
  %o2 = tensor.collapse_shape %att [[0, 1], [2]] : {fq} into {q2t}
  %o = tensor.expand_shape %o2 [[0, 1, 2], [3]]
      output_shape [1, {hq}, 1, {dd}] : {q2t} into {qt}
  return %o : {qt}
}}
""".format(qt=qt, ct=ct, tt=tt, lt=lt, fq=fq, mt=mt, hq=hq, dd=dd,
           q2t=tensor((hq, dd)), hkv=hkv, rep=rep,
           gk=gather.format(name="k", fk=fk, bs=bs, tt=tt, ct=ct),
           gv=gather.format(name="v", fk=fk, bs=bs, tt=tt, ct=ct),
           att=attention_core(dict(d, Sq=1), "%qf", "%kg", "%vg", "%mask",
                              mt))


MODULES = {
    "linear": (linear_module, True),
    "rms_norm_linear": (rms_norm_linear_module, True),
    "conv1d": (conv1d_module, False),
    "attention": (attention_module, False),
    "paged_attention": (paged_attention_module, False),
}


def module_for(case):
    """(MLIR text, extra iree-compile flags) or raises NotImplementedError
    with the reason."""
    op = case["torch"]
    if op in UNSUPPORTED:
        raise NotImplementedError(UNSUPPORTED[op])
    if op not in MODULES:
        raise NotImplementedError("no IREE module for '%s'" % op)
    make, matmul = MODULES[op]
    tiled = matmul and case["dims"].get("M", 1) > 1
    return make(case["dims"]), (DATA_TILING_FLAGS if tiled else [])


DTYPES = {"f32": np.float32, "f16": np.float16, "i32": np.int32,
          "i64": np.int64}


def make_input(shape, dtype, init, rng):
    parts = init.split(":")
    kind, args = parts[0], [float(p) for p in parts[1:]]
    numel = math.prod(shape)
    if kind == "normal":
        a = rng.standard_normal(shape, dtype=np.float32) * (
            args[0] if args else 1)
    elif kind == "uniform":
        lo, hi = (args + [-1.0, 1.0][len(args):])[:2]
        a = rng.random(shape, dtype=np.float32) * (hi - lo) + lo
    elif kind == "fill":
        a = np.full(shape, args[0] if args else 0.0)
    elif kind == "arange":
        a = np.arange(numel).reshape(shape)
    elif kind == "randperm":
        a = rng.permutation(numel).reshape(shape)
    else:
        raise ValueError("unknown init '%s'" % init)
    return np.ascontiguousarray(a.astype(DTYPES[dtype]))


class Runtime:
    """The local-task driver with `threads` workers, and a function loader."""

    def __init__(self, threads):
        import iree.runtime as rt
        self.rt = rt
        # One worker per thread. The default topology ("physical_cores")
        # may count a 2-vCPU guest as one core.
        rt.flags.parse_flags("--task_topology_group_count=%d" % threads)
        self.config = rt.Config("local-task")

    def load(self, vmfb):
        rt = self.rt
        ctx = rt.SystemContext(config=self.config)
        ctx.add_vm_module(rt.VmModule.copy_buffer(self.config.vm_instance,
                                                   vmfb))
        return ctx.modules.module["main"]

    def device_array(self, a):
        return self.rt.asdevicearray(self.config.device, a)


def compile_module(text, extra):
    import iree.compiler as ic
    return ic.compile_str(text, extra_args=IREE_FLAGS + extra)


def check(name, fn, runtime, check_dir):
    """Runs the module on the inputs tokamak-bench dumped for `name` and
    compares with Tokamak's result (max |tokamak - iree| / max |iree|)."""
    inputs = []
    while True:
        path = os.path.join(check_dir, "%s.in%d.npy" % (name, len(inputs)))
        if not os.path.exists(path):
            break
        inputs.append(np.load(path))
    out_path = os.path.join(check_dir, "%s.out0.npy" % name)
    if not inputs or not os.path.exists(out_path):
        return None
    expected = np.asarray(fn(*[runtime.device_array(a) for a in inputs])
                          .to_host()).astype(np.float64)
    got = np.load(out_path).astype(np.float64)
    if got.shape != expected.shape:
        return {"error": "shape %s, iree %s" % (list(got.shape),
                                                list(expected.shape))}
    scale = float(np.abs(expected).max())
    err = float(np.abs(got - expected).max())
    return {"max_abs_err": err, "ref_max_abs": scale,
            "rel_err": err / scale if scale > 0 else err}


def versions():
    out = {}
    for pkg in ("iree-base-compiler", "iree-base-runtime"):
        try:
            from importlib.metadata import version
            out[pkg] = version(pkg)
        except Exception:  # noqa: BLE001 - informational only
            out[pkg] = None
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", required=True)
    parser.add_argument("--check-dir", default="")
    parser.add_argument("--print-mlir", action="store_true",
                        help="print each case's module to stderr")
    args = parser.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    opts = dict(target_seconds=1.0, cap_seconds=2.0, single_call_seconds=10.0,
                max_iters=1000, rotate_mib=0)
    opts.update({k: spec[k] for k in opts if k in spec})
    threads = int(spec.get("threads") or os.environ.get("OMP_NUM_THREADS", 2))
    info = versions()
    emit({"event": "peer", "iree": info.get("iree-base-compiler"),
          "iree_runtime": info.get("iree-base-runtime"), "threads": threads,
          "flags": IREE_FLAGS, "gemm_flags": DATA_TILING_FLAGS,
          "driver": "local-task"})
    runtime = Runtime(threads)
    for index, case in enumerate(spec["cases"]):
        name = case["name"]
        try:
            text, extra = module_for(case)
        except NotImplementedError as e:
            emit({"event": "error", "case": name, "stage": "unsupported",
                  "message": str(e)})
            continue
        if args.print_mlir:
            sys.stderr.write(text)
        try:
            t0 = time.perf_counter()
            vmfb = compile_module(text, extra)
            compile_ms = (time.perf_counter() - t0) * 1e3
            fn = runtime.load(vmfb)
        except Exception as e:  # noqa: BLE001 - reported as an error row
            emit({"event": "error", "case": name, "stage": "compile",
                  "message": "%s: %s" % (type(e).__name__, e)})
            continue
        emit({"event": "compiled", "case": name, "compile_ms": compile_ms,
              "flags": IREE_FLAGS + extra})
        if args.check_dir:
            try:
                result = check(name, fn, runtime, args.check_dir)
            except Exception as e:  # noqa: BLE001 - reported in the row
                result = {"error": "%s: %s" % (type(e).__name__, e)}
            if result is not None:
                emit(dict({"event": "check", "case": name}, **result))
        try:
            rng = np.random.default_rng(0x1ee + index)
            inputs = [make_input(tuple(shape), dtype, init, rng)
                      for shape, dtype, init in case["inputs"]]
            set_bytes = sum(a.nbytes for a in inputs)
            sets = max(1, min(16, math.ceil(opts["rotate_mib"] * (1 << 20)
                                            / max(set_bytes, 1))))
            # Device arrays made once: the timed calls pass buffers, not
            # numpy arrays (no copy-in per call); copies of the inputs
            # as tokamak-bench --rotate-mib makes them.
            input_sets = [[runtime.device_array(a.copy()) for a in inputs]
                          for _ in range(sets)]
        except Exception as e:  # noqa: BLE001 - reported as an error row
            emit({"event": "error", "case": name, "stage": "inputs",
                  "message": "%s: %s" % (type(e).__name__, e)})
            continue
        emit({"event": "inputs", "case": name})
        try:
            samples, warm, note = time_case(name, fn, input_sets, opts)
        except Exception as e:  # noqa: BLE001 - reported as an error row
            emit({"event": "error", "case": name, "stage": "run",
                  "message": "%s: %s" % (type(e).__name__, e),
                  "traceback": traceback.format_exc()})
            continue
        samples.sort()
        mid = len(samples) // 2
        median = (samples[mid] if len(samples) % 2
                  else 0.5 * (samples[mid - 1] + samples[mid]))
        emit({"event": "result", "case": name, "threads": threads,
              "warmup_ms": warm, "iters": len(samples), "min_ms": samples[0],
              "median_ms": median, "input_sets": sets, "note": note,
              "compile_ms": compile_ms})
        del inputs, input_sets


if __name__ == "__main__":
    main()
