#!/usr/bin/env python3
# ===- isa_artifacts.py - One module, artifacts for several CPUs --------=== #
#
# Part of the Tokamak project.
#
# ===------------------------------------------------------------------=== #
"""Compiles a numeric test module into an artifact for each given CPU and
runs the ones this host can execute.

    isa_artifacts.py --compile=... --run=... --module=M.mlir --inputs=DIR
                     --ref=DIR --rtol=R[,R...] --out=DIR CPU...

For each CPU: `tokamak-compile --cpu=CPU` builds the artifact; `tokamak-run`
either runs it on DIR/in*.npy and the outputs must match DIR/ref*.npy
(compare.py, one rtol per output), or refuses it with the runtime's clear
message, and then every feature the message names must really be missing
from this host's /proc/cpuinfo. Prints one line per CPU: "CPU: ran" or
"CPU: refused (missing ...)"; exits 1 on any other outcome.
"""

import argparse
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARE = os.path.join(HERE, "..", "compare.py")

# LLVM feature names whose /proc/cpuinfo flag is spelled differently.
CPUINFO_NAMES = {
    "avx512bf16": "avx512_bf16", "avx512fp16": "avx512_fp16",
    "avx512vbmi2": "avx512_vbmi2", "avx512vnni": "avx512_vnni",
    "avx512bitalg": "avx512_bitalg", "avx512vpopcntdq": "avx512_vpopcntdq",
    "avx512vp2intersect": "avx512_vp2intersect", "sse4.2": "sse4_2",
}


def host_flags():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--compile", required=True)
    p.add_argument("--run", required=True)
    p.add_argument("--module", required=True)
    p.add_argument("--inputs", required=True)
    p.add_argument("--rtol", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("cpus", nargs="+")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    inputs = sorted(glob.glob(os.path.join(args.inputs, "in*.npy")))
    refs = sorted(glob.glob(os.path.join(args.inputs, "ref*.npy")))
    rtols = args.rtol.split(",")
    if len(rtols) != len(refs):
        print(f"error: {len(refs)} references but {len(rtols)} tolerances")
        return 1
    flags = host_flags()
    ok = True
    for cpu in args.cpus:
        so = os.path.join(args.out, f"{cpu}.so")
        c = subprocess.run([args.compile, args.module, "-o", so,
                            "--cpu=" + cpu], capture_output=True, text=True)
        if c.returncode != 0:
            print(f"{cpu}: compile failed: {c.stderr.strip()}")
            ok = False
            continue
        outs = [os.path.join(args.out, f"{cpu}-out{i}.npy")
                for i in range(len(refs))]
        r = subprocess.run([args.run, so] +
                           ["--input=@" + i for i in inputs] +
                           ["--output=@" + o for o in outs],
                           capture_output=True, text=True)
        if r.returncode == 0:
            for out, ref, rtol in zip(outs, refs, rtols):
                cmp = subprocess.run([sys.executable, COMPARE, out, ref,
                                      "--rtol=" + rtol],
                                     capture_output=True, text=True)
                if cmp.returncode != 0:
                    print(f"{cpu}: wrong result: {cmp.stdout.strip()}")
                    ok = False
                    break
            else:
                print(f"{cpu}: ran")
            continue
        m = re.search(r"with (.*), which this CPU lacks", r.stderr)
        if r.returncode != 1 or not m:
            print(f"{cpu}: failed (exit {r.returncode}): {r.stderr.strip()}")
            ok = False
            continue
        missing = [f.strip() for f in m.group(1).split(",")]
        present = [f for f in missing if CPUINFO_NAMES.get(f, f) in flags]
        if present:
            print(f"{cpu}: refused for {', '.join(present)}, "
                  "which /proc/cpuinfo lists")
            ok = False
            continue
        print(f"{cpu}: refused (missing {', '.join(missing)})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
