#!/usr/bin/env python3
#===- session_module.py - An imported model for tokamak-decode-check -----===#
#
# Part of the Tokamak project.
#
#   session_module.py MODEL_DIR IMPORTED.mlir OUT.mlir WEIGHTS_DIR
#
# Turns the module that `tokamak-compile MODEL_DIR --compile-to=input` wrote
# into an input of tokamak-decode-check (test/Integration/Decode): appends
# @forward(tokens [1, L], positions [1, L], weights...) -> logits [1, L, V],
# the head applied to @hidden (the whole sequence from zero state), and
# writes the checkpoint's tensors in the module's weight order (its
# `tokamak.model` metadata) as WEIGHTS_DIR/w<i>.npy. F32 checkpoints with a
# tied head only (the head is the embedding, weight 0); Gemma 2's final
# logit soft-capping is applied after the head. Only numpy is needed.
#
#===----------------------------------------------------------------------===#
import json
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import load_model_dir  # noqa: E402


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: session_module.py MODEL_DIR IMPORTED.mlir OUT.mlir WEIGHTS_DIR")
    model_dir, imported, out, weights_dir = sys.argv[1:]
    text = open(imported).read()
    meta = re.search(r'tokamak\.model = "((?:[^"\\]|\\.)*)"', text)
    if not meta:
        sys.exit(f"session_module: {imported}: no tokamak.model attribute")
    info = json.loads(re.sub(r"\\([0-9A-Fa-f]{2})",
                             lambda m: chr(int(m.group(1), 16)), meta.group(1)))
    cfg, W, dtypes = load_model_dir(model_dir)
    if not cfg.get("tie_word_embeddings", True) or info["dtype"] != "f32":
        sys.exit("session_module: needs an f32 checkpoint with a tied head")
    os.makedirs(weights_dir, exist_ok=True)
    for i, name in enumerate(info["weights"]):
        np.save(os.path.join(weights_dir, f"w{i}.npy"), W[name].astype(np.float32))

    sig = re.search(r"func\.func @hidden\((.*?)\) -> (tensor<\?x(\d+)xf32>)", text)
    if not sig:
        sys.exit(f"session_module: {imported}: no @hidden")
    types = re.findall(r"%\w+: (tensor<[^>]*>)", sig.group(1))
    hidden_type, vocab = sig.group(2), info["vocab_size"]
    params = ", ".join(f"%a{i}: {t}" for i, t in enumerate(types))
    args = ", ".join(f"%a{i}" for i in range(len(types)))
    # Gemma 2's final soft-capping: cap * tanh(logits / cap).
    cap = cfg.get("final_logit_softcapping") if cfg.get("model_type") == "gemma2" else None
    lt = f"tensor<?x{vocab}xf32>"
    if cap:
        softcap = f"""    %c0 = arith.constant 0 : index
    %rows = tensor.dim %lg0, %c0 : {lt}
    %lge = tensor.empty(%rows) : {lt}
    %lg = linalg.generic {{indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}} ins(%lg0 : {lt}) outs(%lge : {lt}) {{
    ^bb0(%x: f32, %unused: f32):
      %cap = arith.constant {float(cap)!r} : f32
      %d = arith.divf %x, %cap : f32
      %t = math.tanh %d : f32
      %y = arith.mulf %t, %cap : f32
      linalg.yield %y : f32
    }} -> {lt}
"""
    else:
        softcap = f"""    %lg = tensor.cast %lg0 : {lt} to {lt}
"""
    forward = f"""
  func.func @forward({params}) -> tensor<1x?x{vocab}xf32> {{
    %c1 = arith.constant 1 : index
    %l = tensor.dim %a0, %c1 : tensor<1x?xi32>
    %h = func.call @hidden({args}) : ({", ".join(types)}) -> {hidden_type}
    %lg0 = tok.linear %h, %a2 : ({hidden_type}, {types[2]}) -> tensor<?x{vocab}xf32>
{softcap}    %e = tensor.expand_shape %lg [[0, 1], [2]] output_shape [1, %l, {vocab}] : tensor<?x{vocab}xf32> into tensor<1x?x{vocab}xf32>
    return %e : tensor<1x?x{vocab}xf32>
  }}
"""
    end = text.rstrip().rfind("}")
    open(out, "w").write(text[:end] + forward + "}\n")


if __name__ == "__main__":
    main()
