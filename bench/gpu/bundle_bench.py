#!/usr/bin/env python3
#===- bundle_bench.py - The GPU benchmark part of the GPU bundle ---------===#
#
# Part of the Tokamak project.
#
#   bundle_bench.py --out=DIR [--build=BUILD] [--arch=sm_90a]
#
# Compiles every bench/gpu/*.mlir with --target=cuda --emit=artifact into
# DIR/NAME.so and copies bench.py beside them (scripts/gpu-bundle.sh puts
# DIR at OUT/bench; bench.py runs there, see README.md).
#
#===----------------------------------------------------------------------===#
import argparse
import glob
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--build",
                   default=os.path.join(os.path.dirname(os.path.dirname(HERE)),
                                        "build"))
    p.add_argument("--arch", default="sm_90a")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    compiler = os.path.join(args.build, "bin", "tokamak-compile")
    failures = 0
    for source in sorted(glob.glob(os.path.join(HERE, "*.mlir"))):
        name = os.path.splitext(os.path.basename(source))[0]
        out = os.path.join(args.out, name + ".so")
        cmd = [compiler, source, "-o", out, "--target=cuda",
               f"--cuda-arch={args.arch}", "--emit=artifact"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            failures += 1
            print(f"bench: FAIL {name}: {r.stderr.strip()[:2000]}")
            continue
        print(f"bench: compiled {name}")
    shutil.copy(os.path.join(HERE, "bench.py"), args.out)
    shutil.copy(os.path.join(HERE, "README.md"), args.out)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
