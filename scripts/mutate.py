#!/usr/bin/env python3
# ===- mutate.py - Mutation test of the compiler and the runner -----------=== #
#
# Part of the Tokamak project.
#
# Mutates the integration modules (test/Integration/CPU/*.mlir): tensor dims
# (zero, one, odd, huge, dynamic), integer and float attributes, and, for
# functions with dynamic dims or index inputs, the actual sizes and values
# passed at run time (dims that disagree, slots and block ids out of range).
# Every mutant must end as one clear error (exit code 1) or a result (exit
# code 0): a signal, an LLVM/MLIR crash report, a hang past the timeout or a
# temporary file left beside the output counts against the tools.
#
#   scripts/mutate.py --build-dir=build [--count=N] [--seed=S] [--jobs=J]
#
# Prints one line per bad mutant (with the commands that reproduce it) and
# the counts per outcome; exits 1 when any mutant crashed or hung.
#
# ===----------------------------------------------------------------------=== #

import argparse
import concurrent.futures
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TENSOR = re.compile(r"tensor<((?:(?:\d+|\?)x)+)([a-z0-9]+)>")
INT_ATTR = re.compile(r"\b(\w+) = (-?\d+) : i64")
FLOAT_ATTR = re.compile(r"\b(\w+) = (-?[0-9.]+(?:e[-+]?\d+)?) : f32")
MAIN = re.compile(r"func\.func @main\((.*?)\)\s*->", re.S)

DIM_VALUES = ["0", "1", "3", "1073741824", "2147483648", "4294967296",
              "1099511627776", "?"]
INT_VALUES = ["0", "-1", "1099511627776"]
FLOAT_VALUES = ["0.0", "-1.0", "0x7F800000", "0x7FC00000"]
RUN_SIZES = [0, 1, 2, 5, 17]
INDEX_VALUES = ["100000", "-5", "2147483647", "0", "3"]

CRASH_MARKERS = ["Stack dump", "PLEASE submit", "LLVM ERROR", "Assertion",
                 "AddressSanitizer", "double free", "free(): ", "corrupted",
                 "Segmentation fault", "Aborted", "terminate called"]


def modules():
    files = sorted(glob.glob(os.path.join(ROOT, "test/Integration/CPU/*.mlir")))
    # Modules driven by transform scripts run through tokamak-opt only.
    return [f for f in files if "transform." not in open(f).read()]


def code_of(path):
    """The module without its comments and RUN lines."""
    return "".join(l for l in open(path) if not l.lstrip().startswith("//"))


def dim_mutants(name, text):
    types = sorted(set(m.group(0) for m in TENSOR.finditer(text)))
    for t in types:
        m = TENSOR.fullmatch(t)
        dims = m.group(1).rstrip("x").split("x")
        for i, old in enumerate(dims):
            for v in DIM_VALUES:
                if v == old:
                    continue
                new_dims = dims[:i] + [v] + dims[i + 1:]
                nt = "tensor<" + "x".join(new_dims) + "x" + m.group(2) + ">"
                yield ("dim", f"{name}: {t} -> {nt}", text.replace(t, nt))
    # Every occurrence of one static size, as `sed 's/1x8x/1x0x/g'` does.
    sizes = sorted(set(d for t in types for d in
                       TENSOR.fullmatch(t).group(1).rstrip("x").split("x")
                       if d != "?"))
    for s in sizes:
        for v in ["0", "1073741824", "4294967296"]:
            pattern = re.compile(r"(?<=[<x])" + s + r"(?=x)")
            yield ("dim", f"{name}: every {s} -> {v}", pattern.sub(v, text))


def attr_mutants(name, text):
    for m in INT_ATTR.finditer(text):
        for v in INT_VALUES:
            if v != m.group(2):
                mutated = text[:m.start(2)] + v + text[m.end(2):]
                yield ("attr", f"{name}: {m.group(1)} = {v}", mutated)
    for m in FLOAT_ATTR.finditer(text):
        for v in FLOAT_VALUES:
            mutated = text[:m.start(2)] + v + text[m.end(2):]
            yield ("attr", f"{name}: {m.group(1)} = {v}", mutated)


def main_args(text):
    m = MAIN.search(text)
    if not m:
        return []
    args = []
    for t in TENSOR.finditer(m.group(1)):
        args.append((t.group(1).rstrip("x").split("x"), t.group(2)))
    return args


def run_mutants(name, text, rng):
    args = main_args(text)
    if not args:
        return
    dynamic = any("?" in dims for dims, _ in args)
    indices = any(et.startswith("i") for _, et in args)
    if not dynamic and not indices:
        return
    for n in range(6 if dynamic else 3):
        inputs = []
        for dims, et in args:
            shape = [str(rng.choice(RUN_SIZES)) if d == "?" else d
                     for d in dims]
            value = rng.choice(INDEX_VALUES) if et.startswith("i") else "1"
            inputs.append("x".join(shape) + "x" + et + "=" + value)
        yield ("run", f"{name}: run {' '.join(inputs)}", text, inputs)


def all_mutants(seed):
    rng = random.Random(seed)
    result = []
    for path in modules():
        name = os.path.basename(path)
        text = code_of(path)
        result += [m + (None,) for m in dim_mutants(name, text)]
        result += [m + (None,) for m in attr_mutants(name, text)]
        result += list(run_mutants(name, text, rng))
    return result


def classify(proc_or_timeout, output):
    if proc_or_timeout is None:
        return "hang"
    rc = proc_or_timeout
    if rc < 0 or rc not in (0, 1) or any(m in output for m in CRASH_MARKERS):
        return "crash"
    if rc == 1:
        return "error" if "error" in output else "crash"
    return "ok"


def execute(cmd, timeout):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, errors="replace")
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout or b""
        return None, out.decode(errors="replace") if isinstance(out, bytes) else out


def run_one(index, mutant, bindir, workdir, timeout):
    kind, what, text, inputs = mutant
    d = os.path.join(workdir, str(index))
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "m.mlir")
    with open(src, "w") as f:
        f.write(text)
    out = os.path.join(d, "m.so")
    compile_cmd = [os.path.join(bindir, "tokamak-compile"), src, "-o", out]
    rc, output = execute(compile_cmd, timeout)
    outcome = classify(rc, output)
    cmds = [" ".join(compile_cmd)]
    leftovers = [f for f in os.listdir(d) if ".tmp-" in f]
    if leftovers:
        outcome = "crash"
        output += "\nleftover temporary files: " + " ".join(leftovers)
    if outcome == "ok" and inputs is not None:
        run_cmd = [os.path.join(bindir, "tokamak-run"), out] + \
            ["--input=" + i for i in inputs]
        rc, output = execute(run_cmd, timeout)
        outcome = classify(rc, output)
        cmds.append(" ".join(run_cmd))
    if outcome in ("ok", "error"):
        shutil.rmtree(d, ignore_errors=True)
    return kind, what, outcome, output, cmds


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--bin-dir", default="",
                        help="where the tools are (default: BUILD_DIR/bin)")
    parser.add_argument("--count", type=int, default=0,
                        help="mutants to run, sampled (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds per command before it counts as a hang")
    parser.add_argument("--filter", default="",
                        help="only mutants whose description matches")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--workdir", default="")
    args = parser.parse_args()

    mutants = all_mutants(args.seed)
    if args.filter:
        mutants = [m for m in mutants if re.search(args.filter, m[1])]
    if args.count and args.count < len(mutants):
        # Half of the sample mutates dims, a fifth attributes, the rest the
        # sizes and values at run time (there are far more dim mutants).
        rng = random.Random(args.seed)
        by_kind = {k: [m for m in mutants if m[0] == k]
                   for k in ("dim", "attr", "run")}
        want = {"attr": args.count // 5, "run": args.count * 3 // 10}
        want["dim"] = args.count - want["attr"] - want["run"]
        sample = []
        for kind, pool in by_kind.items():
            sample += rng.sample(pool, min(want[kind], len(pool)))
        rest = [m for m in mutants if m not in sample]
        sample += rng.sample(rest, args.count - len(sample))
        mutants = sample
    if args.list:
        for m in mutants:
            print(m[0], m[1])
        return 0

    bindir = args.bin_dir or os.path.join(args.build_dir, "bin")
    workdir = args.workdir or tempfile.mkdtemp(prefix="tokamak-mutate-")
    os.makedirs(workdir, exist_ok=True)
    counts = {"ok": 0, "error": 0, "crash": 0, "hang": 0}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_one, i, m, bindir, workdir, args.timeout)
                   for i, m in enumerate(mutants)]
        for i, fut in enumerate(futures):
            kind, what, outcome, output, cmds = fut.result()
            counts[outcome] += 1
            if outcome in ("crash", "hang"):
                tail = "\n    ".join(output.strip().splitlines()[-4:])
                print(f"{outcome.upper()} [{kind}] {what}\n  $ " +
                      "\n  $ ".join(cmds) + f"\n    {tail}", flush=True)
    print(f"mutants: {len(mutants)}  results: {counts['ok']}  "
          f"clean errors: {counts['error']}  crashes: {counts['crash']}  "
          f"hangs: {counts['hang']}")
    if not args.workdir and counts["crash"] + counts["hang"] == 0:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if counts["crash"] + counts["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
