#!/usr/bin/env python3
# ===- tensor-core-ptxas.py - Assemble the PTX of a gpu.binary ------------===#
#
# Part of the Tokamak project. Usage: tensor-core-ptxas.py ARCH PREFIX IN.mlir
# Lowers IN.mlir (bufferized host code around gpu.launch kernels) with
# `mlir-opt -gpu-lower-to-nvvm-pipeline` for ARCH (PTX text, libdevice from
# the CUDA toolkit that holds ptxas), writes the PTX of each `#gpu.object`
# to PREFIX.N.ptx and runs `ptxas -v -arch=ARCH` on it, printing what ptxas
# reports (registers, shared memory, spills). Fails when a step fails.
#
# ===----------------------------------------------------------------------===#

import os
import re
import shutil
import subprocess
import sys


def unescape(text):
    """MLIR string escapes: \\\\, \\", \\n, \\t and \\XX hex bytes."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = text[i + 1]
        simple = {"\\": b"\\", '"': b'"', "n": b"\n", "t": b"\t"}
        if n in simple:
            out += simple[n]
            i += 2
        else:
            out.append(int(text[i + 1:i + 3], 16))
            i += 3
    return bytes(out).rstrip(b"\x00")


def main():
    arch, prefix, source = sys.argv[1:4]
    ptxas = shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"
    if not os.access(ptxas, os.X_OK):
        sys.exit("ptxas not found")
    # gpu-module-to-binary links libdevice (__nv_exp2f, ...) from CUDA_HOME.
    env = dict(os.environ)
    env["CUDA_HOME"] = os.path.dirname(os.path.dirname(os.path.realpath(ptxas)))
    pipeline = ("-gpu-lower-to-nvvm-pipeline=cubin-chip=%s "
                "cubin-features=+ptx80 opt-level=3 cubin-format=isa" % arch)
    lowered = subprocess.run([shutil.which("mlir-opt") or "mlir-opt-22",
                              source, pipeline], capture_output=True,
                             text=True, env=env)
    if lowered.returncode != 0:
        sys.stderr.write(lowered.stderr)
        return lowered.returncode
    objects = re.findall(r'assembly = "((?:[^"\\]|\\.)*)"', lowered.stdout,
                         re.S)
    if not objects:
        sys.exit("no gpu.object with PTX assembly in the lowered module")
    status = 0
    for i, text in enumerate(objects):
        ptx_path = "%s.%d.ptx" % (prefix, i)
        with open(ptx_path, "wb") as f:
            f.write(unescape(text))
        run = subprocess.run([ptxas, "-v", "-arch=" + arch, ptx_path, "-o",
                              os.devnull], capture_output=True, text=True)
        sys.stdout.write(run.stdout + run.stderr)
        status = status or run.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
