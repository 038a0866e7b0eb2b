#!/usr/bin/env python3
#===- generate_ref.py - PyTorch reference of tokamak-run generation -------===#
#
# Part of the Tokamak project.
#
#   generate_ref.py greedy --model=attention|mamba --weights=DIR
#                   [--new-weights-seed=S] --prompt-ids=1,2,3
#                   --max-new-tokens=N [--window=W --sinks=S]
#       prints the greedy continuation as tokamak-run does
#       ("generated: 5 17 3 ..."), computed in float64. With
#       --new-weights-seed it first writes the weights to DIR as
#       `decode_ref.py weights --seed=S` does (one process: torch loads once).
#   generate_ref.py check --model=... --weights=DIR --prompt-ids=1,2,3
#                   --run=OUT.txt:L.npy... [--window=W --sinks=S] [--rtol=R]
#       for each run, reads the "generated:" line tokamak-run printed to
#       OUT.txt and the logits it dumped with --dump-logits, and checks that
#       L.npy is f32 [N, vocab] and that row i equals the float64 reference
#       logits after the prompt and the first i generated tokens:
#       |got - ref| <= rtol * max|ref| per row. One line per run.
#
# The models' math is decode_ref.py's (test/Integration/Decode), the PyTorch
# reference of the decode tests, which shares nothing with the compiler.
#
#===----------------------------------------------------------------------===#
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Integration", "Decode"))
import decode_ref  # noqa: E402


def load_weights(directory):
    weights = []
    while os.path.exists(os.path.join(directory, f"w{len(weights)}.npy")):
        path = os.path.join(directory, f"w{len(weights)}.npy")
        weights.append(torch.from_numpy(np.load(path)).double())
    if not weights:
        sys.exit(f"generate_ref: no w0.npy in {directory}")
    return weights


def forward(args, weights, tokens):
    """Logits [L, vocab] of every position of `tokens`, float64."""
    t = torch.tensor(tokens, dtype=torch.int64)
    if args.model == "attention":
        return decode_ref.attention_forward(weights, t, args.window,
                                            args.sinks).numpy()
    return decode_ref.mamba_forward(weights, t).numpy()


def write_weights(args):
    rng = np.random.default_rng(args.new_weights_seed)
    make = (decode_ref.attention_weights if args.model == "attention"
            else decode_ref.mamba_weights)
    os.makedirs(args.weights, exist_ok=True)
    for i, w in enumerate(make(rng)):
        np.save(os.path.join(args.weights, f"w{i}.npy"), w)


def cmd_greedy(args, weights, prompt):
    tokens = list(prompt)
    for step in range(args.max_new_tokens):
        row = forward(args, weights, tokens)[-1]
        order = np.argsort(-row, kind="stable")
        margin = row[order[0]] - row[order[1]]
        # A near tie could go either way in f32: the test would be flaky.
        if margin < 1e-3 * np.abs(row).max():
            sys.exit(f"generate_ref: step {step}: tokens {order[0]} and "
                     f"{order[1]} are nearly tied ({margin:.2e}); choose "
                     "another prompt or seed")
        tokens.append(int(order[0]))
    print("generated: " + " ".join(str(t) for t in tokens[len(prompt):]))


def check_run(args, weights, prompt, output, logits):
    lines = [l for l in open(output).read().splitlines()
             if l.startswith("generated:")]
    if len(lines) != 1:
        sys.exit(f"generate_ref: expected one 'generated:' line in {output}, "
                 f"got {len(lines)}")
    generated = [int(t) for t in lines[0].split()[1:]]
    got = np.load(logits)
    ref_all = forward(args, weights, prompt + generated)
    n = len(generated)
    if got.dtype != np.float32 or got.shape != (n, ref_all.shape[1]):
        sys.exit(f"generate_ref: {logits}: expected float32 "
                 f"{(n, ref_all.shape[1])}, got {got.dtype} {got.shape}")
    # Row i: the logits after the prompt and the first i generated tokens,
    # that is at position len(prompt) - 1 + i.
    ref = ref_all[len(prompt) - 1:len(prompt) - 1 + n]
    err = (np.abs(got.astype(np.float64) - ref).max(axis=1) /
           np.abs(ref).max(axis=1))
    ok = err.max() <= args.rtol
    print(f"generate_ref: {os.path.basename(logits)}: {n} rows, "
          f"max rel err {err.max():.3e} {'ok' if ok else 'FAILED'}")
    return ok


def cmd_check(args, weights, prompt):
    ok = True
    for run in args.run:
        output, _, logits = run.partition(":")
        ok &= check_run(args, weights, prompt, output, logits)
    if not ok:
        sys.exit(1)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("greedy", "check"):
        c = sub.add_parser(name)
        c.add_argument("--model", choices=["attention", "mamba"],
                       default="attention")
        c.add_argument("--weights", required=True)
        c.add_argument("--prompt-ids", required=True)
        c.add_argument("--window", type=int, default=0)
        c.add_argument("--sinks", type=int, default=0)
        if name == "greedy":
            c.add_argument("--new-weights-seed", type=int)
            c.add_argument("--max-new-tokens", type=int, required=True)
        else:
            c.add_argument("--run", action="append", required=True,
                           help="OUT.txt:L.npy")
            c.add_argument("--rtol", type=float, default=1e-4)
    args = p.parse_args()
    if args.cmd == "greedy" and args.new_weights_seed is not None:
        write_weights(args)
    weights = load_weights(args.weights)
    prompt = [int(t) for t in args.prompt_ids.split(",")]
    (cmd_greedy if args.cmd == "greedy" else cmd_check)(args, weights, prompt)


if __name__ == "__main__":
    main()
