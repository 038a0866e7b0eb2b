#!/usr/bin/env python3
# ===- tensor-core-ptxas.py - Assemble the PTX of a gpu.binary ------------===#
#
# Part of the Tokamak project. Reads MLIR printed after
# `gpu-module-to-binary{format=isa}` on stdin, takes the PTX text of its
# first `#gpu.object` (`assembly = "..."`), writes it to ARGV[2] and runs
# `ptxas -v -arch=ARGV[1]` on it, printing what ptxas reports (registers,
# shared memory, spills) to stdout. Exits with ptxas's status.
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
    arch, ptx_path = sys.argv[1], sys.argv[2]
    match = re.search(r'assembly = "((?:[^"\\]|\\.)*)"', sys.stdin.read(), re.S)
    if not match:
        sys.exit("no gpu.object with PTX assembly on stdin")
    with open(ptx_path, "wb") as f:
        f.write(unescape(match.group(1)))
    ptxas = shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"
    if not os.access(ptxas, os.X_OK):
        sys.exit("ptxas not found")
    run = subprocess.run([ptxas, "-v", "-arch=" + arch, ptx_path, "-o",
                          os.devnull], capture_output=True, text=True)
    sys.stdout.write(run.stdout + run.stderr)
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
