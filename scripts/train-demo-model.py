#!/usr/bin/env python3
#===- scripts/train-demo-model.py - Train the demo llama model on CPU -----===#
#
# Part of the Tokamak project. Trains a small llama-architecture decoder
# (Hugging Face LlamaForCausalLM semantics) and its byte-level BPE tokenizer
# on the King James Version of the Bible, deterministically on one CPU core,
# and saves a real Hugging Face model directory that `make demo` compiles:
#
#   .venv/bin/python scripts/train-demo-model.py \
#       [--out=examples/demo-model] [--steps=N] [--seed=N]
#
# The defaults reproduce the committed examples/demo-model/ bit for bit (same
# machine type, same torch/OpenBLAS build: float32 training is run with one
# thread and deterministic algorithms only; other CPUs' BLAS kernels may round
# differently).
#
# Training text: the KJV Bible from Debian's `bible-kjv-text` package
# (/usr/lib/bible.data, compressed), read out with the `bible` program of the
# `bible-kjv` package that depends on it (`bible -l100000 Gen1:1-Rev22:21`);
# scripts/install-deps.sh installs `bible-kjv`. The KJV text (1611) is in the
# public domain ("The copyright for the King James Version text of the Bible
# is expired", /usr/share/doc/bible-kjv-text/copyright); the retrieval
# program's files are free for unrestricted use / GPL-2+. Verse numbers and
# chapter headings are dropped: one verse per line, 31,102 lines, ~4.2 MB.
#
# Outputs (DIR = --out): config.json (as transformers 4.49 save_pretrained
# writes a LlamaConfig, built by test/Integration/Models/make_checkpoint.py),
# model.safetensors (BF16, written by that script's writer), tokenizer.json
# (HF `tokenizers` ByteLevel BPE, GPT-2 style, BOS prepended by a
# TemplateProcessing post-processor), tokenizer_config.json,
# generation_config.json and README.md (with the final loss, a greedy sample,
# its logit margins and the sha256 of model.safetensors).
#
# Model math follows transformers' modeling_llama exactly: RMSNorm (eps 1e-5,
# weight * x * rsqrt(mean(x^2) + eps)), rotate-half RoPE (theta 1e4) on q and
# k, GQA with kv head h // (nh / nkv), scale head_dim^-0.5, causal softmax,
# SiLU-gated MLP down(silu(gate(x)) * up(x)), pre-norm residual blocks, final
# norm, untied lm_head, no biases.
#
# Needs torch (Debian's python3-torch), numpy and tokenizers 0.23.3 (the
# project venv .venv/, which sees the system site packages).
#
#===----------------------------------------------------------------------===#
import os

# One thread everywhere, before torch/numpy/tokenizers start their pools.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
           "RAYON_NUM_THREADS"):
    os.environ[_v] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import argparse
import hashlib
import json
import math
import re
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "Integration", "Models"))
import make_checkpoint  # noqa: E402  (config.json + safetensors writer)

BOS = "<|begin_of_text|>"
EOS = "<|end_of_text|>"

# The committed model. Parameters: embed 2048x192, 4 layers, lm_head.
VOCAB = 2048
CFG = dict(
    vocab_size=VOCAB, hidden_size=192, intermediate_size=512,
    num_hidden_layers=4, num_attention_heads=6, num_key_value_heads=2,
    head_dim=32, max_position_embeddings=512, rms_norm_eps=1e-5,
    rope_theta=10000.0, tie_word_embeddings=False,
    bos_token_id=0, eos_token_id=1, hidden_act="silu",
    attention_bias=False, mlp_bias=False)
CONTEXT = 128
BATCH = 16
LR = 3e-3
WARMUP = 100
WEIGHT_DECAY = 0.1
DEFAULT_STEPS = 1500
DEFAULT_SEED = 0
# The sample prompt: its 32-token greedy path keeps every top-1/top-2 logit
# margin above 0.1, so reduced-precision runs should pick the same tokens.
PROMPT = "And the LORD spake unto Moses, saying"
SAMPLE_TOKENS = 32

# ---------------------------------------------------------------------------
# Text and tokenizer
# ---------------------------------------------------------------------------


def read_kjv():
    """The KJV as a list of verses (no numbers, no chapter headings)."""
    try:
        raw = subprocess.run(["bible", "-l100000", "Gen1:1-Rev22:21"],
                             stdin=subprocess.DEVNULL, capture_output=True,
                             check=True).stdout.decode("ascii")
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"train-demo-model: cannot run `bible` ({e}); "
                 "install Debian's bible-kjv (scripts/install-deps.sh)")
    verses = []
    for line in raw.splitlines():
        m = re.match(r"\s+\d+ (.*\S)", line)  # "  12 And God said, ..."
        if m:  # (chapter headings such as "1 Samuel 3" are not indented)
            verses.append(m.group(1))
    if len(verses) != 31102:
        sys.exit(f"train-demo-model: expected 31102 verses, got {len(verses)}")
    return verses


def train_tokenizer(verses):
    from tokenizers import (Tokenizer, decoders, models, pre_tokenizers,
                            processors, trainers)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB, min_frequency=2, show_progress=False,
        special_tokens=[BOS, EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([v + "\n" for v in verses], trainer)
    bos, eos = tok.token_to_id(BOS), tok.token_to_id(EOS)
    assert (bos, eos) == (CFG["bos_token_id"], CFG["eos_token_id"])
    tok.post_processor = processors.TemplateProcessing(
        single=f"{BOS}:0 $A:0", pair=f"{BOS}:0 $A:0 {BOS}:1 $B:1",
        special_tokens=[(BOS, bos)])
    assert tok.get_vocab_size() == VOCAB
    return tok


def tokenize(tok, verses):
    """Token stream of "verse\\n" lines and the offset where each verse starts."""
    enc = tok.encode_batch([v + "\n" for v in verses], add_special_tokens=False)
    starts, ids = [], []
    for e in enc:
        starts.append(len(ids))
        ids.extend(e.ids)
    return np.array(ids, dtype=np.int64), np.array(starts, dtype=np.int64)

# ---------------------------------------------------------------------------
# Model: transformers' LlamaForCausalLM, eager attention, no cache
# ---------------------------------------------------------------------------


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        H, self.nh, self.nkv, self.hd = (c["hidden_size"], c["num_attention_heads"],
                                         c["num_key_value_heads"], c["head_dim"])
        self.q_proj = nn.Linear(H, self.nh * self.hd, bias=False)
        self.k_proj = nn.Linear(H, self.nkv * self.hd, bias=False)
        self.v_proj = nn.Linear(H, self.nkv * self.hd, bias=False)
        self.o_proj = nn.Linear(self.nh * self.hd, H, bias=False)

    def forward(self, x, cos, sin, mask):
        B, L, _ = x.shape
        q = self.q_proj(x).view(B, L, self.nh, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(B, L, self.nkv, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(B, L, self.nkv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.nh // self.nkv  # HF repeat_kv: query head h reads kv head h // rep
        k = k[:, :, None].expand(B, self.nkv, rep, L, self.hd).reshape(B, self.nh, L, self.hd)
        v = v[:, :, None].expand(B, self.nkv, rep, L, self.hd).reshape(B, self.nh, L, self.hd)
        s = (q @ k.transpose(2, 3)) * self.hd ** -0.5 + mask
        p = torch.softmax(s, dim=-1)
        o = (p @ v).transpose(1, 2).reshape(B, L, self.nh * self.hd)
        return self.o_proj(o)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        H, I = c["hidden_size"], c["intermediate_size"]
        self.gate_proj = nn.Linear(H, I, bias=False)
        self.up_proj = nn.Linear(H, I, bias=False)
        self.down_proj = nn.Linear(I, H, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = MLP(c)
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Body(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])


class LlamaForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.model = Body(c)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        hd = c["head_dim"]
        inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.int64)
                                         .float() / hd))
        self.register_buffer("inv_freq", inv, persistent=False)
        std = 0.02  # HF initializer_range
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, mean=0.0, std=std)

    def forward(self, ids):
        B, L = ids.shape
        x = self.model.embed_tokens(ids)
        pos = torch.arange(L, dtype=self.inv_freq.dtype)
        freqs = pos[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        mask = torch.full((L, L), float("-inf"), dtype=x.dtype).triu(1)
        for layer in self.model.layers:
            x = layer(x, cos, sin, mask)
        return self.lm_head(self.model.norm(x))

# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------


def lr_at(step, steps):
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    t = (step - WARMUP) / max(1, steps - WARMUP)
    return LR * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * t)))


def train(model, ids, starts, steps, seed):
    ok = starts[starts + CONTEXT <= len(ids)]
    stream = torch.from_numpy(ids)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    rest = [p for n, p in model.named_parameters() if p.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": rest, "weight_decay": 0.0}],
                            lr=LR, betas=(0.9, 0.95), eps=1e-8)
    gen = torch.Generator().manual_seed(seed + 1)
    bos = torch.full((BATCH, 1), CFG["bos_token_id"], dtype=torch.int64)
    offs = torch.arange(CONTEXT)
    t0, acc, n, loss_hist = time.time(), 0.0, 0, []
    for step in range(steps):
        pick = torch.randint(len(ok), (BATCH,), generator=gen)
        s = torch.from_numpy(ok)[pick]
        y = stream[s[:, None] + offs[None, :]]           # [B, T] next tokens
        x = torch.cat([bos, y[:, :-1]], dim=1)           # BOS + verse-aligned text
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps)
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        acc += loss.item()
        n += 1
        if (step + 1) % 100 == 0 or step + 1 == steps:
            loss_hist.append((step + 1, acc / n))
            print(f"step {step + 1:5d}  loss {acc / n:.4f}  lr {lr_at(step, steps):.2e}  "
                  f"{time.time() - t0:6.1f}s", flush=True)
            acc, n = 0.0, 0
    return loss_hist


@torch.no_grad()
def eval_loss(model, ids, starts, n_batches=8):
    """Mean loss on fixed windows spread evenly over the whole text."""
    ok = starts[starts + CONTEXT <= len(ids)]
    sel = ok[np.linspace(0, len(ok) - 1, n_batches * BATCH).astype(np.int64)]
    stream = torch.from_numpy(ids)
    offs = torch.arange(CONTEXT)
    tot = 0.0
    for b in range(n_batches):
        s = torch.from_numpy(sel[b * BATCH:(b + 1) * BATCH])
        y = stream[s[:, None] + offs[None, :]]
        x = torch.cat([torch.full((len(s), 1), CFG["bos_token_id"]), y[:, :-1]], 1)
        lg = model(x)
        tot += F.cross_entropy(lg.reshape(-1, lg.shape[-1]), y.reshape(-1)).item()
    return tot / n_batches

# ---------------------------------------------------------------------------
# Saving and checking
# ---------------------------------------------------------------------------


def bf16_tensors(model):
    """name -> (shape, raw BF16 bytes, float64 values after rounding)."""
    out = {}
    for name, t in model.state_dict().items():
        a32 = t.detach().float().contiguous().numpy()
        bits = make_checkpoint.f32_to_bf16_bits(a32)
        back = (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        out[name] = (tuple(a32.shape), bits.tobytes(), back)
    return out


@torch.no_grad()
def greedy(model, prompt_ids, n):
    """Greedy decoding in float64; returns (new ids, top1-top2 margins)."""
    ids = list(prompt_ids)
    new, margins = [], []
    for _ in range(n):
        z = model(torch.tensor([ids]))[0, -1]
        top = torch.topk(z, 2).values
        t = int(torch.argmax(z))
        new.append(t)
        margins.append(float(top[0] - top[1]))
        ids.append(t)
    return new, margins


def write_json(path, obj):
    with open(path, "w") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=True) + "\n")


README = """\
# demo-model: a tiny llama trained on the King James Bible

A {params:,}-parameter decoder with the Hugging Face **LlamaForCausalLM**
architecture (`config.json`, `model.safetensors` in BF16, {size:,} bytes) and
its byte-level BPE tokenizer (`tokenizer.json`, {vocab} tokens), trained from
scratch on one CPU core by `scripts/train-demo-model.py`. It is the model
that `make demo` compiles with Tokamak. It writes KJV-flavoured English;
it knows nothing else.

## Model

| field | value |
|---|---|
| layers | {num_hidden_layers} |
| hidden size | {hidden_size} |
| attention | {num_attention_heads} query heads, {num_key_value_heads} kv heads (GQA), head_dim {head_dim} |
| MLP | SiLU-gated, intermediate {intermediate_size} |
| norm | RMSNorm, eps {rms_norm_eps} |
| positions | RoPE (rotate-half), theta {rope_theta}, max {max_position_embeddings} |
| vocabulary | {vocab} (BOS `{bos}` = {bos_id}, EOS `{eos}` = {eos_id}) |
| head | separate `lm_head.weight` (tie_word_embeddings false) |

Tensor names are HF's (`model.embed_tokens.weight`,
`model.layers.N.self_attn.{{q,k,v,o}}_proj.weight`,
`model.layers.N.mlp.{{gate,up,down}}_proj.weight`,
`model.layers.N.{{input,post_attention}}_layernorm.weight`, `model.norm.weight`,
`lm_head.weight`); `config.json` is what transformers 4.49 `save_pretrained`
writes for this LlamaConfig.

## Tokenizer

HF `tokenizers` 0.23.3 BPE trained on the same text: GPT-2-style ByteLevel
pre-tokenizer (GPT-2 split regex, no prefix space) and ByteLevel decoder,
special tokens `{bos}` and `{eos}` (ids {bos_id}, {eos_id}), and a
TemplateProcessing post-processor that prepends `{bos}`.

## Training text and its license

The King James Version of the Bible (1611) as shipped by Debian's
`bible-kjv-text` package (`/usr/lib/bible.data`), read out with the `bible`
program of the `bible-kjv` package (`bible -l100000 Gen1:1-Rev22:21`;
`scripts/install-deps.sh` installs it). Verse numbers and chapter headings
are dropped, one verse per line: 31,102 verses, {n_tokens:,} tokens. The KJV
text is in the **public domain** (its copyright has long expired; see
`/usr/share/doc/bible-kjv-text/copyright`). The weights and tokenizer here
are derived from it alone.

## Training

Plain PyTorch (the script's own implementation of HF's llama math), float32,
one thread, deterministic: `torch.manual_seed({seed})` initialisation
(N(0, 0.02), norms 1), AdamW (lr {lr}, betas 0.9/0.95, weight decay
{wd} on matrices, {warmup} warmup steps then cosine to 10%), gradient clip 1.0,
{steps} steps of {batch} windows x {context} tokens ({seen:,} tokens,
{epochs:.2f} epochs). Each window starts at a verse start and is fed as BOS +
{context_m1} tokens, so a prompt encoded with BOS (as the tokenizer does)
looks like training data.

Loss (mean cross-entropy over the last 100 steps): {final_loss:.4f};
on {eval_windows} fixed windows spread over the whole text: {eval_loss:.4f}.

Retrain (about 10 minutes on one core; reproduces `model.safetensors`
bit for bit on the same CPU type and torch/OpenBLAS build):

```
.venv/bin/python scripts/train-demo-model.py --out=examples/demo-model
```

(`--steps=N`, `--seed=N` change the run.)

sha256 of `model.safetensors`: `{sha}`

## Greedy sample

Prompt `{prompt}` = ids `{prompt_ids}` (BOS included). Greedy decoding of
{ntok} new tokens from the BF16 weights, computed in float64:

```
{prompt}{sample}
```

ids: `{new_ids}`

Smallest top-1 / top-2 logit margin along this path: {min_margin:.4f} (step
{min_step}); the prompt was picked for that (e.g. "In the beginning" has
near-ties of 0.03), so that a BF16 run of the model should still produce
exactly these tokens. Check with the float64 reference:

```
/usr/bin/python3 test/Integration/Models/reference.py examples/demo-model \\
  --prompt-ids={prompt_ids} --max-new-tokens={ntok}
```
"""


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(ROOT, "examples", "demo-model"))
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    a = p.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    t_start = time.time()

    verses = read_kjv()
    tok = train_tokenizer(verses)
    ids, starts = tokenize(tok, verses)
    print(f"text: {len(verses)} verses, {len(ids)} tokens, vocab {tok.get_vocab_size()}",
          flush=True)

    torch.manual_seed(a.seed)
    model = LlamaForCausalLM(CFG)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params:,} parameters ({2 * n_params:,} bytes in BF16)", flush=True)
    hist = train(model, ids, starts, a.steps, a.seed)
    train_s = time.time() - t_start

    # Round to BF16, reload, and check in float64 what the saved file does.
    tens = bf16_tensors(model)
    with torch.no_grad():
        for name, prm in model.state_dict().items():
            prm.copy_(torch.from_numpy(tens[name][2]).to(prm.dtype))
    model = model.double()
    ev = eval_loss(model, ids, starts)
    prompt_ids = tok.encode(PROMPT).ids
    new_ids, margins = greedy(model, prompt_ids, SAMPLE_TOKENS)
    sample = tok.decode(new_ids)
    print(f"eval loss (bf16 weights, f64 math): {ev:.4f}")
    print(f"prompt {PROMPT!r} ids {prompt_ids}")
    print(f"greedy ids {new_ids}")
    print(f"greedy text {PROMPT + sample!r}")
    print(f"min margin {min(margins):.4f} at step {int(np.argmin(margins))}")

    out = a.out
    os.makedirs(out, exist_ok=True)
    cfg = make_checkpoint.build_config("llama", list(CFG.items()), "bf16")
    write_json(os.path.join(out, "config.json"), cfg)
    st = os.path.join(out, "model.safetensors")
    make_checkpoint.write_safetensors(
        st, [(n, sh, "BF16", raw) for n, (sh, raw, _) in tens.items()])
    tok.save(os.path.join(out, "tokenizer.json"))
    write_json(os.path.join(out, "tokenizer_config.json"), {
        "added_tokens_decoder": {
            str(tok.token_to_id(t)): {"content": t, "lstrip": False,
                                      "normalized": False, "rstrip": False,
                                      "single_word": False, "special": True}
            for t in (BOS, EOS)},
        "bos_token": BOS, "eos_token": EOS, "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
        "model_max_length": CFG["max_position_embeddings"],
        "tokenizer_class": "PreTrainedTokenizerFast"})
    write_json(os.path.join(out, "generation_config.json"), {
        "_from_model_config": True, "bos_token_id": CFG["bos_token_id"],
        "eos_token_id": CFG["eos_token_id"],
        "transformers_version": make_checkpoint.TRANSFORMERS_VERSION})
    with open(st, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    seen = a.steps * BATCH * CONTEXT
    readme = README.format(
        params=n_params, size=os.path.getsize(st), vocab=VOCAB, bos=BOS, eos=EOS,
        bos_id=CFG["bos_token_id"], eos_id=CFG["eos_token_id"], n_tokens=len(ids),
        seed=a.seed, lr=LR, wd=WEIGHT_DECAY, warmup=WARMUP, steps=a.steps,
        batch=BATCH, context=CONTEXT, context_m1=CONTEXT - 1, seen=seen,
        epochs=seen / len(ids), final_loss=hist[-1][1], eval_loss=ev,
        eval_windows=8 * BATCH, sha=sha,
        prompt=PROMPT, prompt_ids=",".join(map(str, prompt_ids)),
        ntok=SAMPLE_TOKENS, sample=sample, new_ids=",".join(map(str, new_ids)),
        min_margin=min(margins), min_step=int(np.argmin(margins)),
        **{k: v for k, v in CFG.items() if k not in ("vocab_size",)})
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(readme)
    print(f"wrote {out} (model.safetensors sha256 {sha}); {train_s:.0f}s")


if __name__ == "__main__":
    main()
