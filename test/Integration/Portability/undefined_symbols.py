#!/usr/bin/env python3
# ===- undefined_symbols.py - Libcalls of compiled modules --------------=== #
#
# Part of the Tokamak project.
#
# ===------------------------------------------------------------------=== #
"""Compiles modules to object files for one CPU and lists the symbols they
leave undefined.

    undefined_symbols.py --compile=tokamak-compile --nm=llvm-nm --cpu=x86-64-v3
                         --out=DIR FILE.mlir...

Prints the sorted union of the undefined symbols, one per line, after the
line "undefined symbols:". A symbol outside --allowed (libc, libm and the
OpenMP runtime, which the JIT and every artifact resolve) is also printed
as "unresolvable: SYMBOL in FILE" and makes the exit code 1; a module that
does not compile prints "compile error: FILE" and also fails. The compiles
run in parallel on every core.
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys

# What the JIT and an artifact both resolve: libc, libm, the OpenMP runtime
# and compiler-rt's builtins (linked statically into artifacts and loaded by
# the JIT from the same archive). Anything else fails on some host.
ALLOWED_PREFIXES = ("__kmpc_", "omp_")
ALLOWED = {
    "_GLOBAL_OFFSET_TABLE_",
    # compiler-rt: conversions the target has no instruction for.
    "__truncsfbf2", "__truncdfbf2", "__extendbfsf2", "__extendhfsf2",
    "__truncsfhf2", "__truncdfhf2",
    "free", "malloc", "aligned_alloc", "calloc", "memcpy", "memmove",
    "memset", "abort",
    # The messages of the run-time checks (RuntimeErrors.cpp) are formatted
    # into the error record with snprintf.
    "snprintf",
    # libm (math-to-libm leaves the scalar ops without a polynomial).
    "expf", "exp", "exp2f", "logf", "log", "log1pf", "tanhf", "tanh",
    "erff", "erf", "sinf", "cosf", "sin", "cos", "powf", "pow", "fmodf",
    "fmod", "atan2f", "atanf", "expm1f", "sqrtf", "sqrt", "cbrtf",
    "roundf", "roundevenf", "floorf", "ceilf", "truncf",
}


def allowed(symbol):
    return symbol in ALLOWED or symbol.startswith(ALLOWED_PREFIXES)


def undefined(args, path):
    obj = os.path.join(args.out, os.path.basename(path) + ".o")
    compile_cmd = [args.compile, path, "-o", obj, "--emit=obj",
                   "--cpu=" + args.cpu]
    proc = subprocess.run(compile_cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return path, None, proc.stderr.strip()
    nm = subprocess.run([args.nm, "--undefined-only", "--format=just-symbols",
                         obj], capture_output=True, text=True)
    os.remove(obj)
    if nm.returncode != 0:
        return path, None, nm.stderr.strip()
    return path, set(nm.stdout.split()), ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compile", required=True)
    parser.add_argument("--nm", required=True)
    parser.add_argument("--cpu", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    union = set()
    failed = False
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda f: undefined(args, f), sorted(args.files)))
    for path, symbols, error in results:
        name = os.path.basename(path)
        if symbols is None:
            print(f"compile error: {name}: {error}")
            failed = True
            continue
        union |= symbols
        for s in sorted(symbols):
            if not allowed(s):
                print(f"unresolvable: {s} in {name}")
                failed = True
    print(f"modules: {len(results)}")
    print("undefined symbols:")
    for s in sorted(union):
        print(s)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
