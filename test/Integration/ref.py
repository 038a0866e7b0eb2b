#!/usr/bin/env python3
#===- ref.py - Inputs and reference outputs for the numeric tests --------===#
#
# Part of the Tokamak project. Writes the random inputs of one test case and
# the reference outputs computed by PyTorch/NumPy into a directory:
#
#   ref.py OP [--flag ...] --seed N --out DIR
#
# writes DIR/in0.npy, DIR/in1.npy, ... (the function's arguments, in order)
# and DIR/ref0.npy, DIR/ref1.npy, ... (its results, in order). Each OP is a
# function `case_<op>(args, rng)` in one of the topic modules of ref/, which
# returns (inputs, outputs) as lists of numpy arrays; `args` holds the
# parsed `--key=value` flags (values are ints, floats or strings).
#
#===----------------------------------------------------------------------===#
import argparse
import importlib
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

TOPICS = ["attention", "scans", "mixers", "basics", "selection",
          "linear_perf", "packed"]


def parse_value(text):
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def find_case(op):
    for topic in TOPICS:
        try:
            module = importlib.import_module("ref." + topic)
        except ModuleNotFoundError:
            continue
        fn = getattr(module, "case_" + op, None)
        if fn is not None:
            return fn
    sys.exit(f"ref.py: unknown op '{op}'")


def main():
    parser = argparse.ArgumentParser(description=__doc__, allow_abbrev=False)
    parser.add_argument("op")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    known, rest = parser.parse_known_args()
    args = {}
    for item in rest:
        if not item.startswith("--"):
            sys.exit(f"ref.py: expected --key=value, got '{item}'")
        key, _, value = item[2:].partition("=")
        args[key.replace("-", "_")] = parse_value(value) if value else True
    rng = np.random.default_rng(known.seed)
    inputs, outputs = find_case(known.op)(args, rng)
    os.makedirs(known.out, exist_ok=True)
    for i, a in enumerate(inputs):
        np.save(os.path.join(known.out, f"in{i}.npy"), np.ascontiguousarray(a))
    for i, a in enumerate(outputs):
        np.save(os.path.join(known.out, f"ref{i}.npy"), np.ascontiguousarray(a))


if __name__ == "__main__":
    main()
