#!/usr/bin/env python3
# ===- make_tokenizers.py - Train the tokenizer test data ------------------===#
#
# Part of the Tokamak project.
#
# ===-----------------------------------------------------------------------===#
#
# Trains small tokenizers with HF `tokenizers` and `sentencepiece` (the pins
# in scripts/install-deps.sh) on Debian's license texts plus the test corpus,
# and writes them to data/ next to this script, one directory per tokenizer
# laid out like a Hugging Face model directory:
#
#   gpt2/tokenizer.json       byte-level BPE, ByteLevel pre-tokenizer
#   roberta/tokenizer.json    the same with add_prefix_space, RobertaProcessing
#                             and an lstrip <mask>, plus a normalized added token
#   llama3/tokenizer.json     Split regex + ByteLevel, ignore_merges, BOS template
#   qwen2/tokenizer.json      NFC + Split regex + ByteLevel, merges as pairs
#   llama2/tokenizer.json     SentencePiece-style BPE: Prepend/Replace
#                             normalizer, byte_fallback, fuse_unk
#   mistral/tokenizer.json    the same vocabulary behind a Metaspace
#                             pre-tokenizer and decoder
#   llama2-unk/tokenizer.json the same without byte_fallback (fused <unk>)
#   sp/tokenizer.model        a sentencepiece BPE model
#
# Run with the venv python: .venv/bin/python test/Unit/Tokenizer/make_tokenizers.py
# The outputs are checked in; rerun only to change them.
#
# ===-----------------------------------------------------------------------===#

import collections
import glob
import json
import os
import shutil
import tempfile

import sentencepiece as spm
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models
from tokenizers import normalizers, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")

LLAMA3_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
    r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
QWEN2_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
    r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def training_lines():
    """Debian's license texts, then the corpus strings, in a fixed order."""
    lines = []
    for path in sorted(glob.glob("/usr/share/common-licenses/*")):
        if os.path.isfile(path) and not os.path.islink(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                lines.extend(f.read().splitlines())
    with open(os.path.join(HERE, "corpus.json"), encoding="utf-8") as f:
        lines.extend(json.load(f))
    return [line for line in lines if line.strip()]


def save(tok, name, edit=None):
    """Writes `tok` to data/<name>/tokenizer.json, applying `edit` to the
    JSON first (for settings the Python API does not expose)."""
    out = os.path.join(DATA, name)
    os.makedirs(out, exist_ok=True)
    obj = json.loads(tok.to_str())
    if edit:
        edit(obj)
    # Check that `tokenizers` loads the edited file.
    Tokenizer.from_str(json.dumps(obj))
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))


def byte_level_bpe(lines, pre, vocab_size, specials, normalizer=None):
    tok = Tokenizer(models.BPE())
    if normalizer:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(lines, trainer)
    return tok


def make_gpt2(lines):
    tok = byte_level_bpe(
        lines,
        pre_tokenizers.ByteLevel(add_prefix_space=False),
        1200,
        ["<|endoftext|>"],
    )
    tok.post_processor = processors.ByteLevel(trim_offsets=True)
    save(tok, "gpt2")


def make_roberta(lines):
    tok = byte_level_bpe(
        lines,
        pre_tokenizers.ByteLevel(add_prefix_space=True),
        1200,
        ["<s>", "<pad>", "</s>", "<unk>"],
    )
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True)])
    tok.add_tokens([AddedToken("<custom>", normalized=True, special=False)])
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    save(tok, "roberta")


def make_llama3(lines):
    pre = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(LLAMA3_REGEX), "isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"]
    tok = byte_level_bpe(lines, pre, 1500, specials)
    tok.post_processor = processors.Sequence(
        [
            processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(
                single="<|begin_of_text|> $A",
                pair="<|begin_of_text|> $A <|begin_of_text|> $B:1",
                special_tokens=[("<|begin_of_text|>", 0)],
            ),
        ]
    )

    def edit(obj):
        obj["model"]["ignore_merges"] = True

    save(tok, "llama3", edit)


def make_qwen2(lines):
    pre = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_REGEX), "isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok = byte_level_bpe(lines, pre, 1500, specials, normalizers.NFC())
    tok.post_processor = processors.ByteLevel(trim_offsets=False)

    def edit(obj):
        # Newer files write merges as pairs; check both spellings load.
        merges = obj["model"]["merges"]
        obj["model"]["merges"] = [
            m.split(" ", 1) if isinstance(m, str) else m for m in merges
        ]

    save(tok, "qwen2", edit)


def make_sentencepiece_bpe(lines):
    """Llama-2 style: a BPE over '▁'-joined text with <0xNN> byte tokens."""
    # Train over Metaspace words, then rebuild the vocabulary with the byte
    # tokens after the three specials as Llama-2 lays it out.
    trainer_tok = Tokenizer(models.BPE(unk_token="<unk>"))
    trainer_tok.normalizer = normalizers.Sequence(
        [normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")]
    )
    trainer_tok.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="▁", prepend_scheme="never", split=True
    )
    # The 120 most frequent characters, ties by code point: the trainer's own
    # choice breaks ties by hash order, which changes from run to run.
    counts = collections.Counter("".join(lines).replace(" ", "▁"))
    alphabet = [c for c, _ in sorted(counts.items(),
                                     key=lambda kv: (-kv[1], kv[0]))[:120]]
    trainer = trainers.BpeTrainer(
        vocab_size=1200,
        special_tokens=["<unk>", "<s>", "</s>"],
        initial_alphabet=alphabet,
        limit_alphabet=len(alphabet),
        show_progress=False,
    )
    trainer_tok.train_from_iterator(lines, trainer)
    trained = json.loads(trainer_tok.to_str())["model"]
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab["<0x%02X>" % b] = len(vocab)
    for token, _ in sorted(trained["vocab"].items(), key=lambda kv: kv[1]):
        if token not in vocab:
            vocab[token] = len(vocab)
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m)
              for m in trained["merges"]]

    def build(byte_fallback, metaspace):
        tok = Tokenizer(
            models.BPE(
                vocab=vocab,
                merges=merges,
                unk_token="<unk>",
                fuse_unk=True,
                byte_fallback=byte_fallback,
            )
        )
        if metaspace:
            tok.pre_tokenizer = pre_tokenizers.Metaspace(
                replacement="▁", prepend_scheme="first", split=False
            )
            tok.decoder = decoders.Sequence(
                [
                    decoders.ByteFallback(),
                    decoders.Metaspace(replacement="▁", prepend_scheme="first",
                                       split=False),
                ]
            )
        else:
            tok.normalizer = normalizers.Sequence(
                [normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")]
            )
            tok.decoder = decoders.Sequence(
                [
                    decoders.Replace("▁", " "),
                    decoders.ByteFallback(),
                    decoders.Fuse(),
                    decoders.Strip(" ", 1, 0),
                ]
            )
        tok.add_special_tokens(["<unk>", "<s>", "</s>"])
        tok.post_processor = processors.TemplateProcessing(
            single="<s> $A",
            pair="<s> $A <s> $B:1",
            special_tokens=[("<s>", 1)],
        )
        return tok

    save(build(True, False), "llama2")
    save(build(True, True), "mistral")
    save(build(False, False), "llama2-unk")


def make_sentencepiece_model(lines):
    out = os.path.join(DATA, "sp")
    os.makedirs(out, exist_ok=True)
    # The model records its input path: train from a fixed one.
    tmp = os.path.join(tempfile.gettempdir(), "tokamak-make-tokenizers")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        text = os.path.join(tmp, "train.txt")
        with open(text, "w", encoding="utf-8") as f:
            f.write("\n".join(line.replace("\n", " ") for line in lines))
        spm.SentencePieceTrainer.train(
            input=text,
            model_prefix=os.path.join(tmp, "sp"),
            model_type="bpe",
            vocab_size=1000,
            byte_fallback=True,
            character_coverage=0.995,
            num_threads=1,
            shuffle_input_sentence=False,
            input_sentence_size=0,
            minloglevel=2,
        )
        shutil.copy(os.path.join(tmp, "sp.model"),
                    os.path.join(out, "tokenizer.model"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    lines = training_lines()
    make_gpt2(lines)
    make_roberta(lines)
    make_llama3(lines)
    make_qwen2(lines)
    make_sentencepiece_bpe(lines)
    make_sentencepiece_model(lines)


if __name__ == "__main__":
    main()
