#!/usr/bin/env python3
#===- bench.py - GPU benchmark rows from the GPU bundle ------------------===#
#
# Part of the Tokamak project. Runs on the GPU machine, in the bundle's
# bench/ folder (scripts/gpu-bundle.sh); needs the CUDA driver, numpy and,
# for the peer column, PyTorch with CUDA.
#
#   python3 bench.py [--runs=N] [--filter=REGEX] [--no-torch]
#
# For each NAME.so here: random inputs from numpy (bf16 as uint16 bits, as
# tokamak-run reads them), `../bin/tokamak-run NAME.so --device=cuda
# --input=@... --output=@... --benchmark=N` (it prints `@fn: N runs, min X
# ms, median Y ms`; the median is used), the same computation in PyTorch on
# the GPU timed with CUDA events, and one table row: TFLOP/s for attention
# and GEMM, GB/s (bytes of inputs read and outputs written, once) for decode
# attention and the scans.
#
# tokamak-run times a whole call from host tensors: its runtime copies the
# inputs to the device and the results back in every call, so its column
# includes those transfers, and PyTorch's does not (its tensors stay on the
# device). The table says so.
#
#===----------------------------------------------------------------------===#
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(os.path.dirname(HERE), "bin", "tokamak-run")


def attention_flops(b, h, s, d, causal):
    # QKᵀ and PV: 2 GEMMs of 2·S·S·D each per head; causal does half.
    flops = 4.0 * b * h * s * s * d
    return flops / 2 if causal else flops


# name -> (inputs [(shape, dtype, kind)], metric, amount, torch peer)
def cases():
    att = [((4, 32, 4096, 128), "bf16", "normal")] * 3
    dec = [((1, 32, 1, 128), "bf16", "normal"),
           ((1, 8, 32768, 128), "bf16", "normal"),
           ((1, 8, 32768, 128), "bf16", "normal")]
    ssm = [((1, 4096, 1536), "f32", "normal"), ((1, 4096, 1536), "f32", "dt"),
           ((1536, 16), "f32", "negexp"), ((1, 4096, 1, 16), "f32", "normal"),
           ((1, 4096, 1, 16), "f32", "normal"), ((1536,), "f32", "normal"),
           ((1, 4096, 1536), "f32", "normal"), ((1536,), "f32", "normal")]
    lin = [((1, 8, 4096, 64), "f32", "normal")] * 3 + \
        [((1, 8, 4096), "f32", "logdecay")]
    gemm = [((4096, 4096), "bf16", "normal")] * 2
    return {
        "attention_causal_bf16": (att, "TFLOP/s",
                                  attention_flops(4, 32, 4096, 128, True),
                                  "sdpa_causal"),
        "attention_bf16": (att, "TFLOP/s",
                           attention_flops(4, 32, 4096, 128, False), "sdpa"),
        "attention_decode_bf16": (dec, "GB/s", None, "sdpa_decode"),
        "selective_scan_f32": (ssm, "GB/s", None, None),
        "linear_scan_f32": (lin, "GB/s", None, None),
        "gemm_bf16": (gemm, "TFLOP/s", 2.0 * 4096 ** 3, "matmul"),
    }


def to_bf16_bits(x):
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounded = u + 0x7FFF + ((u >> 16) & 1)
    return (rounded >> 16).astype(np.uint16)


def make_input(rng, shape, dtype, kind):
    if kind == "normal":
        x = rng.standard_normal(shape, dtype=np.float32) * 0.5
    elif kind == "dt":
        x = rng.uniform(-4.0, -1.0, shape).astype(np.float32)
    elif kind == "negexp":
        x = -np.exp(rng.uniform(0.0, 2.0, shape)).astype(np.float32)
    elif kind == "logdecay":
        x = np.log(rng.uniform(0.9, 0.999, shape)).astype(np.float32)
    else:
        raise ValueError(kind)
    return to_bf16_bits(x) if dtype == "bf16" else x


def run_tokamak(name, arrays, runs, tmp):
    args = [RUNNER, os.path.join(HERE, name + ".so"), "--device=cuda",
            f"--benchmark={runs}"]
    for i, a in enumerate(arrays):
        path = os.path.join(tmp, f"in{i}.npy")
        np.save(path, a)
        args.append(f"--input=@{path}")
    args.append(f"--output=@{os.path.join(tmp, 'out0.npy')}")
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError((r.stderr or r.stdout).strip()[-800:])
    m = re.search(r"runs, min ([0-9.]+) ms, median ([0-9.]+) ms", r.stdout)
    if not m:
        raise RuntimeError(f"no timing in tokamak-run's output: {r.stdout!r}")
    return float(m.group(2))


def run_torch(peer, arrays, runs):
    import torch
    import torch.nn.functional as F

    def dev(a):
        if a.dtype == np.uint16:
            t = torch.from_numpy(a.astype(np.int32) << 16).view(torch.float32)
            return t.to("cuda", torch.bfloat16)
        return torch.from_numpy(a).cuda()

    ts = [dev(a) for a in arrays]
    if peer == "sdpa":
        fn = lambda: F.scaled_dot_product_attention(*ts)
    elif peer == "sdpa_causal":
        fn = lambda: F.scaled_dot_product_attention(*ts, is_causal=True)
    elif peer == "sdpa_decode":
        q, k, v = ts
        k = k.repeat_interleave(q.shape[1] // k.shape[1], dim=1)
        v = v.repeat_interleave(q.shape[1] // v.shape[1], dim=1)
        fn = lambda: F.scaled_dot_product_attention(q, k, v)
    elif peer == "matmul":
        x, w = ts
        fn = lambda: torch.matmul(x, w.t())
    else:
        raise ValueError(peer)
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    times.sort()
    return times[len(times) // 2]


def rate(metric, amount, ms):
    if ms is None:
        return "-"
    scale = 1e12 if metric == "TFLOP/s" else 1e9
    return f"{amount / (ms * 1e-3) / scale:.1f}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--filter", default="")
    p.add_argument("--no-torch", action="store_true")
    args = p.parse_args()
    if not os.path.exists("/dev/nvidiactl"):
        print("bench.py: no CUDA driver or GPU on this machine "
              "(no /dev/nvidiactl); nothing was run")
        return 2
    rows = []
    failed = 0
    rng = np.random.default_rng(0)
    for name, (inputs, metric, flops, peer) in cases().items():
        if not re.search(args.filter, name):
            continue
        if not os.path.exists(os.path.join(HERE, name + ".so")):
            print(f"bench.py: {name}.so is missing; skipped")
            continue
        arrays = [make_input(rng, *spec) for spec in inputs]
        with tempfile.TemporaryDirectory(prefix="tok-bench-") as tmp:
            try:
                ms = run_tokamak(name, arrays, args.runs, tmp)
                out_bytes = os.path.getsize(os.path.join(tmp, "out0.npy"))
            except RuntimeError as e:
                print(f"bench.py: {name} failed: {e}")
                failed += 1
                ms, out_bytes = None, 0
        amount = flops if flops is not None else \
            sum(a.nbytes for a in arrays) + out_bytes
        peer_ms = None
        if peer and not args.no_torch:
            try:
                peer_ms = run_torch(peer, arrays, args.runs)
            except Exception as e:  # the peer's failure is reported
                print(f"bench.py: torch peer of {name} failed: {e}")
        rows.append((name, metric, ms, rate(metric, amount, ms), peer_ms,
                     rate(metric, amount, peer_ms)))
        print(f"bench.py: {name} done", flush=True)
    print()
    print("| case | unit | tokamak ms (incl. H2D/D2H) | tokamak | "
          "torch ms (on device) | torch |")
    print("|---|---|---|---|---|---|")
    for name, metric, ms, r, pms, pr in rows:
        fmt = lambda v: "-" if v is None else f"{v:.3f}"
        print(f"| {name} | {metric} | {fmt(ms)} | {r} | {fmt(pms)} | {pr} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
