#!/usr/bin/env python3
#===- make_checkpoint.py - Tiny random Hugging Face model directories ----===#
#
# Part of the Tokamak project. Writes a tiny, deterministic, random model
# directory in Hugging Face's layout (config.json + safetensors):
#
#   make_checkpoint.py --preset=NAME --out=DIR [--seed=N]
#                      [--dtype=f32|bf16|f16] [--shards=N] [--set KEY=JSON]...
#
# config.json holds the keys that transformers' `save_pretrained` writes for
# that model_type (its `to_diff_dict`: every model-specific field, base
# fields such as tie_word_embeddings / *_token_id only where they differ from
# the defaults), sorted, indented by 2, as HF writes it. Tensor names and
# shapes are the ones HF's modeling code uses for the architecture named in
# `architectures`. The safetensors files are written by hand (no
# `safetensors` package): 8-byte little-endian header length, a JSON header
# (`__metadata__` {"format":"pt"} first, then the tensors sorted by name with
# dtype/shape/data_offsets), padded with spaces to a multiple of 8, then the
# raw little-endian data in the same order. bf16 is the upper half of the f32
# bit pattern rounded to nearest even. With --shards=N > 1 the tensors are
# split over model-0000i-of-0000N.safetensors and described by
# model.safetensors.index.json (metadata.total_size + weight_map). The
# header comes from the shapes and each tensor is drawn and written in turn,
# so full-size checkpoints (bench/models.py: TinyLlama's shapes in f32 are
# 4.4 GB) never have to fit in memory.
#
# Weights are drawn in float64 from numpy's PCG64 seeded with --seed, one
# tensor at a time in name order, so a preset gives the same values (before
# rounding) for every dtype and shard count. Scales keep activations O(1)
# and logits spread (std ~1-2) so greedy decoding is not degenerate.
#
# Only numpy is needed.
#
#===----------------------------------------------------------------------===#
import argparse
import json
import math
import os
import struct
import sys

import numpy as np

TRANSFORMERS_VERSION = "4.49.0"

# PretrainedConfig's own defaults for the base fields a model config may
# repeat: HF writes such a key only where the value differs from this default
# or from the model class's default.
BASE_DEFAULTS = {
    "tie_word_embeddings": True,
    "bos_token_id": None,
    "eos_token_id": None,
    "pad_token_id": None,
}

# ---------------------------------------------------------------------------
# Model types: the configuration class's defaults (as transformers 4.49 has
# them; only the keys it writes), the architecture, derived fields.
# ---------------------------------------------------------------------------

LLAMA_DEFAULTS = dict(
    vocab_size=32000, hidden_size=4096, intermediate_size=11008,
    num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=None,
    hidden_act="silu", max_position_embeddings=2048, initializer_range=0.02,
    rms_norm_eps=1e-6, use_cache=True, pad_token_id=None, bos_token_id=1,
    eos_token_id=2, pretraining_tp=1, tie_word_embeddings=False,
    rope_theta=10000.0, rope_scaling=None, attention_bias=False,
    attention_dropout=0.0, mlp_bias=False, head_dim=None)

MISTRAL_DEFAULTS = dict(
    vocab_size=32000, hidden_size=4096, intermediate_size=14336,
    num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
    head_dim=None, hidden_act="silu", max_position_embeddings=131072,
    initializer_range=0.02, rms_norm_eps=1e-6, use_cache=True,
    pad_token_id=None, bos_token_id=1, eos_token_id=2,
    tie_word_embeddings=False, rope_theta=10000.0, sliding_window=4096,
    attention_dropout=0.0)

QWEN2_DEFAULTS = dict(
    vocab_size=151936, hidden_size=4096, intermediate_size=22016,
    num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=32,
    hidden_act="silu", max_position_embeddings=32768, initializer_range=0.02,
    rms_norm_eps=1e-6, use_cache=True, tie_word_embeddings=False,
    rope_theta=10000.0, rope_scaling=None, use_sliding_window=False,
    sliding_window=4096, max_window_layers=28, attention_dropout=0.0)

GEMMA2_DEFAULTS = dict(
    vocab_size=256000, hidden_size=2304, intermediate_size=9216,
    num_hidden_layers=26, num_attention_heads=8, num_key_value_heads=4,
    head_dim=256, hidden_activation="gelu_pytorch_tanh",
    max_position_embeddings=8192, initializer_range=0.02, rms_norm_eps=1e-6,
    use_cache=True, pad_token_id=0, eos_token_id=1, bos_token_id=2,
    tie_word_embeddings=True, rope_theta=10000.0, attention_bias=False,
    attention_dropout=0.0, query_pre_attn_scalar=256, sliding_window=4096,
    final_logit_softcapping=30.0, attn_logit_softcapping=50.0,
    cache_implementation="hybrid")

MAMBA_DEFAULTS = dict(
    vocab_size=50280, hidden_size=768, state_size=16, num_hidden_layers=32,
    layer_norm_epsilon=1e-5, pad_token_id=0, bos_token_id=0, eos_token_id=0,
    expand=2, conv_kernel=4, use_bias=False, use_conv_bias=True,
    hidden_act="silu", initializer_range=0.1, residual_in_fp32=True,
    time_step_rank="auto", time_step_scale=1.0, time_step_min=0.001,
    time_step_max=0.1, time_step_init_scheme="random", time_step_floor=1e-4,
    rescale_prenorm_residual=False, use_cache=True, use_mambapy=False,
    intermediate_size=None)

MAMBA2_DEFAULTS = dict(
    num_heads=128, head_dim=64, vocab_size=32768, hidden_size=4096,
    state_size=128, num_hidden_layers=64, layer_norm_epsilon=1e-5,
    pad_token_id=1, bos_token_id=0, eos_token_id=2, expand=2, conv_kernel=4,
    n_groups=8, use_bias=False, use_conv_bias=True, hidden_act="silu",
    initializer_range=0.1, residual_in_fp32=True, time_step_rank="auto",
    time_step_min=0.001, time_step_max=0.1, time_step_floor=1e-4,
    time_step_limit=[0.0, float("inf")], rescale_prenorm_residual=False,
    use_cache=True, rms_norm=True, chunk_size=256, tie_word_embeddings=False)

JAMBA_DEFAULTS = dict(
    vocab_size=65536, tie_word_embeddings=False, hidden_size=4096,
    intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
    num_key_value_heads=8, hidden_act="silu", initializer_range=0.02,
    rms_norm_eps=1e-6, use_cache=True, num_logits_to_keep=1,
    output_router_logits=False, router_aux_loss_coef=0.001, pad_token_id=0,
    bos_token_id=1, eos_token_id=2, sliding_window=None,
    max_position_embeddings=262144, attention_dropout=0.0,
    num_experts_per_tok=2, num_experts=16, expert_layer_period=2,
    expert_layer_offset=1, attn_layer_period=8, attn_layer_offset=4,
    use_mamba_kernels=True, mamba_d_state=16, mamba_d_conv=4, mamba_expand=2,
    mamba_dt_rank="auto", mamba_conv_bias=True, mamba_proj_bias=False)

BERT_DEFAULTS = dict(
    vocab_size=30522, hidden_size=768, num_hidden_layers=12,
    num_attention_heads=12, intermediate_size=3072, hidden_act="gelu",
    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
    max_position_embeddings=512, type_vocab_size=2, initializer_range=0.02,
    layer_norm_eps=1e-12, pad_token_id=0, position_embedding_type="absolute",
    use_cache=True, classifier_dropout=None)


def _finalize_attention(c):
    if c.get("num_key_value_heads") is None:
        c["num_key_value_heads"] = c["num_attention_heads"]
    if "head_dim" in c and c["head_dim"] is None:
        c["head_dim"] = c["hidden_size"] // c["num_attention_heads"]


def _finalize_mamba(c):
    if c.get("intermediate_size") is None:
        c["intermediate_size"] = int(c["expand"] * c["hidden_size"])
    if c["time_step_rank"] == "auto":
        c["time_step_rank"] = math.ceil(c["hidden_size"] / 16)


def _finalize_mamba2(c):
    if c["time_step_rank"] == "auto":
        c["time_step_rank"] = math.ceil(c["hidden_size"] / 16)
    inner = int(c["expand"] * c["hidden_size"])
    if c["num_heads"] * c["head_dim"] != inner:
        sys.exit(f"make_checkpoint: mamba2 needs num_heads*head_dim == "
                 f"expand*hidden_size ({c['num_heads']}*{c['head_dim']} != {inner})")
    if c["num_heads"] % c["n_groups"]:
        sys.exit("make_checkpoint: mamba2 needs num_heads % n_groups == 0")


def _finalize_jamba(c):
    if c.get("num_key_value_heads") is None:
        c["num_key_value_heads"] = c["num_attention_heads"]
    if c["mamba_dt_rank"] == "auto":
        c["mamba_dt_rank"] = math.ceil(c["hidden_size"] / 16)


MODEL_TYPES = {
    "llama": (LLAMA_DEFAULTS, "LlamaForCausalLM", _finalize_attention),
    "mistral": (MISTRAL_DEFAULTS, "MistralForCausalLM", _finalize_attention),
    "qwen2": (QWEN2_DEFAULTS, "Qwen2ForCausalLM", _finalize_attention),
    "gemma2": (GEMMA2_DEFAULTS, "Gemma2ForCausalLM", _finalize_attention),
    "mamba": (MAMBA_DEFAULTS, "MambaForCausalLM", _finalize_mamba),
    "mamba2": (MAMBA2_DEFAULTS, "Mamba2ForCausalLM", _finalize_mamba2),
    "jamba": (JAMBA_DEFAULTS, "JambaForCausalLM", _finalize_jamba),
    "bert": (BERT_DEFAULTS, "BertModel", lambda c: None),
}

# ---------------------------------------------------------------------------
# Presets: model_type + overrides of the class defaults.
# ---------------------------------------------------------------------------

_LLAMA_TINY = dict(vocab_size=256, hidden_size=32, intermediate_size=64,
                   num_hidden_layers=2, num_attention_heads=4,
                   num_key_value_heads=2, max_position_embeddings=256,
                   rms_norm_eps=1e-5, rope_theta=10000.0)

PRESETS = {
    "llama": ("llama", dict(_LLAMA_TINY)),
    "llama-tied": ("llama", dict(_LLAMA_TINY, tie_word_embeddings=True)),
    "llama-bias": ("llama", dict(_LLAMA_TINY, attention_bias=True,
                                 mlp_bias=True)),
    # head_dim 8 at theta 1e4: wavelengths 2*pi*{1, 10, 100, 1000} = 6.3,
    # 63, 628, 6283. With original_max_position_embeddings 128 the
    # high/low-frequency wavelengths are 32/128, so one frequency is kept,
    # one is interpolated (medium band) and two are divided by the factor.
    "llama3-rope": ("llama", dict(
        _LLAMA_TINY, max_position_embeddings=1024,
        rope_scaling={"rope_type": "llama3", "factor": 8.0,
                      "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                      "original_max_position_embeddings": 128})),
    "llama-linear-rope": ("llama", dict(
        _LLAMA_TINY, rope_scaling={"type": "linear", "factor": 2.0})),
    "mistral": ("mistral", dict(
        vocab_size=256, hidden_size=32, intermediate_size=64,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=256, rms_norm_eps=1e-5, sliding_window=8)),
    "qwen2": ("qwen2", dict(
        vocab_size=256, hidden_size=32, intermediate_size=64,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=256, rms_norm_eps=1e-6, rope_theta=1000000.0,
        tie_word_embeddings=True, max_window_layers=2,
        bos_token_id=250, eos_token_id=251)),
    # Layer 0 attends to everything, layer 1 (>= max_window_layers) to the
    # last 8 positions.
    "qwen2-swa": ("qwen2", dict(
        vocab_size=256, hidden_size=32, intermediate_size=64,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=256, rms_norm_eps=1e-6, rope_theta=1000000.0,
        tie_word_embeddings=True, use_sliding_window=True, sliding_window=8,
        max_window_layers=1, bos_token_id=250, eos_token_id=251)),
    # hidden 48: sqrt(48) = 6.928..., which bf16 rounds to 6.9375 (HF's
    # normalizer is rounded to the embedding dtype). head_dim 16 differs
    # from hidden/heads (12) and from query_pre_attn_scalar (12). Softcaps
    # are small so that they matter at this scale. Layer 0 is sliding.
    "gemma2": ("gemma2", dict(
        vocab_size=192, hidden_size=48, intermediate_size=64,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        head_dim=16, query_pre_attn_scalar=12, max_position_embeddings=256,
        sliding_window=8, attn_logit_softcapping=3.0,
        final_logit_softcapping=4.0)),
    "mamba": ("mamba", dict(
        vocab_size=256, hidden_size=32, state_size=8, num_hidden_layers=2,
        expand=2, conv_kernel=4)),
    "mamba2": ("mamba2", dict(
        vocab_size=256, hidden_size=32, state_size=16, num_hidden_layers=2,
        expand=2, head_dim=16, num_heads=4, n_groups=1, conv_kernel=4,
        chunk_size=8, tie_word_embeddings=True)),
    # Two B/C groups (heads 0,1 read group 0; heads 2,3 group 1), the gated
    # norm normalises each group of 32 channels separately, and a finite
    # time_step_limit that clamps some steps on both sides.
    "mamba2-groups": ("mamba2", dict(
        vocab_size=256, hidden_size=32, state_size=16, num_hidden_layers=2,
        expand=2, head_dim=16, num_heads=4, n_groups=2, conv_kernel=4,
        chunk_size=8, tie_word_embeddings=True, time_step_min=0.005,
        time_step_max=0.5, time_step_limit=[0.01, 0.2])),
    # Layers: 0 mamba, 1 attention, 2 mamba (attn_layer_period 2, offset 1);
    # one expert, so every feed_forward is a dense MLP.
    "jamba": ("jamba", dict(
        vocab_size=128, hidden_size=32, intermediate_size=64,
        num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=256, attn_layer_period=2, attn_layer_offset=1,
        num_experts=1, num_experts_per_tok=1, expert_layer_period=2,
        expert_layer_offset=1, mamba_d_state=8, mamba_d_conv=4,
        mamba_expand=2, use_mamba_kernels=False)),
    "bert": ("bert", dict(
        vocab_size=256, hidden_size=32, num_hidden_layers=2,
        num_attention_heads=4, intermediate_size=64,
        max_position_embeddings=64, type_vocab_size=2)),
}


def build_config(preset, overrides, dtype):
    model_type, preset_kw = PRESETS[preset]
    defaults, arch, finalize = MODEL_TYPES[model_type]
    c = dict(defaults)
    c.update(preset_kw)
    for k, v in overrides:
        c[k] = v
    finalize(c)
    out = {}
    for k, v in c.items():
        if k in BASE_DEFAULTS and v == BASE_DEFAULTS[k] and v == defaults.get(k, v):
            continue  # HF's to_diff_dict leaves these out
        out[k] = v
    out["architectures"] = [arch]
    out["model_type"] = model_type
    out["torch_dtype"] = {"f32": "float32", "bf16": "bfloat16",
                          "f16": "float16"}[dtype]
    out["transformers_version"] = TRANSFORMERS_VERSION
    return out

# ---------------------------------------------------------------------------
# Tensors: (name, shape, init) in HF's naming. init is a tuple:
#   ("normal", std)                  N(0, std)
#   ("norm", std)                    1 + N(0, std)
#   ("normal_offset", m, std)        m + N(0, std)
#   ("alog", N)                      log(1..N) per row + N(0, 0.05)
#   ("dtbias", lo, hi)               inverse softplus of log-uniform [lo, hi]
#   ("alog_heads", lo, hi)           log(uniform[lo, hi])
# ---------------------------------------------------------------------------


def lin(name, out_f, in_f, gain=1.0, bias=False, bias_std=0.1):
    t = [(name + ".weight", (out_f, in_f), ("normal", gain / math.sqrt(in_f)))]
    if bias:
        t.append((name + ".bias", (out_f,), ("normal", bias_std)))
    return t


def tensors_decoder(c, model_type):
    """llama / mistral / qwen2 / gemma2."""
    H, V, I = c["hidden_size"], c["vocab_size"], c["intermediate_size"]
    nh, nkv = c["num_attention_heads"], c["num_key_value_heads"]
    hd = c.get("head_dim") or H // nh
    qkv_bias = c.get("attention_bias", False) or model_type == "qwen2"
    o_bias = c.get("attention_bias", False)
    mlp_bias = c.get("mlp_bias", False)
    gemma = model_type == "gemma2"
    norm = ("normal", 0.1) if gemma else ("norm", 0.1)  # Gemma: (1 + w)
    tie = c.get("tie_word_embeddings", True)
    # With a tied head the token's own embedding, left in the residual
    # stream, would dominate the logits (the model would copy its input):
    # tied models get larger layer outputs (Gemma: post-norm scales ~3 and a
    # final-norm scale ~2.5 against its sqrt(hidden)-scaled embedding).
    og = 2.0 if tie else 0.5
    post = ("normal_offset", 2.0, 0.1) if gemma else norm
    t = [("model.embed_tokens.weight", (V, H),
          ("normal", 0.1 if gemma else 0.3 if tie else 1.0))]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        t.append((p + "input_layernorm.weight", (H,), norm))
        t += lin(p + "self_attn.q_proj", nh * hd, H, 1.0, qkv_bias, 0.2)
        t += lin(p + "self_attn.k_proj", nkv * hd, H, 1.0, qkv_bias, 0.2)
        t += lin(p + "self_attn.v_proj", nkv * hd, H, 1.0, qkv_bias)
        t += lin(p + "self_attn.o_proj", H, nh * hd, og, o_bias)
        t.append((p + "post_attention_layernorm.weight", (H,), post))
        if gemma:
            t.append((p + "pre_feedforward_layernorm.weight", (H,), norm))
            t.append((p + "post_feedforward_layernorm.weight", (H,), post))
        t += lin(p + "mlp.gate_proj", I, H, 1.0, mlp_bias)
        t += lin(p + "mlp.up_proj", I, H, 1.0, mlp_bias)
        t += lin(p + "mlp.down_proj", H, I, og, mlp_bias)
    t.append(("model.norm.weight", (H,),
              ("normal_offset", 1.5, 0.1) if gemma else norm))
    if not tie:
        t += lin("lm_head", V, H, 1.5)
    return t


def mamba1_mixer(p, H, I, N, R, K, conv_bias, proj_bias, tmin, tmax, og=0.5):
    t = []
    t.append((p + "A_log", (I, N), ("alog", N)))
    t.append((p + "D", (I,), ("norm", 0.1)))
    t.append((p + "conv1d.weight", (I, 1, K), ("normal", 1.0 / math.sqrt(K))))
    if conv_bias:
        t.append((p + "conv1d.bias", (I,), ("normal", 0.1)))
    t += lin(p + "in_proj", 2 * I, H, 1.0, proj_bias)
    t += lin(p + "x_proj", R + 2 * N, I, 1.0)
    t.append((p + "dt_proj.weight", (I, R), ("normal", 1.0 / math.sqrt(R))))
    t.append((p + "dt_proj.bias", (I,), ("dtbias", tmin, tmax)))
    t += lin(p + "out_proj", H, I, og, proj_bias)
    return t


def tensors_mamba(c):
    H, V = c["hidden_size"], c["vocab_size"]
    I, N, R, K = (c["intermediate_size"], c["state_size"],
                  c["time_step_rank"], c["conv_kernel"])
    t = [("backbone.embeddings.weight", (V, H), ("normal", 0.3))]
    for i in range(c["num_hidden_layers"]):
        p = f"backbone.layers.{i}."
        t.append((p + "norm.weight", (H,), ("norm", 0.1)))
        t += mamba1_mixer(p + "mixer.", H, I, N, R, K, c["use_conv_bias"],
                          c["use_bias"], c["time_step_min"], c["time_step_max"],
                          2.0 if c.get("tie_word_embeddings", True) else 0.5)
    t.append(("backbone.norm_f.weight", (H,), ("norm", 0.1)))
    if not c.get("tie_word_embeddings", True):
        t += lin("lm_head", V, H, 1.5)
    return t


def tensors_mamba2(c):
    H, V = c["hidden_size"], c["vocab_size"]
    I = int(c["expand"] * H)
    N, G, nh, K = c["state_size"], c["n_groups"], c["num_heads"], c["conv_kernel"]
    conv_dim = I + 2 * G * N
    tie = c.get("tie_word_embeddings", True)
    t = [("backbone.embeddings.weight", (V, H), ("normal", 0.3 if tie else 1.0))]
    for i in range(c["num_hidden_layers"]):
        p = f"backbone.layers.{i}."
        t.append((p + "norm.weight", (H,), ("norm", 0.1)))
        m = p + "mixer."
        t.append((m + "A_log", (nh,), ("alog_heads", 1.0, 16.0)))
        t.append((m + "D", (nh,), ("norm", 0.1)))
        t.append((m + "dt_bias", (nh,), ("dtbias", c["time_step_min"],
                                         c["time_step_max"])))
        t.append((m + "conv1d.weight", (conv_dim, 1, K),
                  ("normal", 1.0 / math.sqrt(K))))
        if c["use_conv_bias"]:
            t.append((m + "conv1d.bias", (conv_dim,), ("normal", 0.1)))
        t += lin(m + "in_proj", I + conv_dim + nh, H, 1.0, c["use_bias"])
        t.append((m + "norm.weight", (I,), ("norm", 0.1)))
        t += lin(m + "out_proj", H, I, 2.0 if tie else 0.5, c["use_bias"])
    t.append(("backbone.norm_f.weight", (H,), ("norm", 0.1)))
    if not tie:
        t += lin("lm_head", V, H, 1.5)
    return t


def tensors_jamba(c):
    H, V, F = c["hidden_size"], c["vocab_size"], c["intermediate_size"]
    nh, nkv = c["num_attention_heads"], c["num_key_value_heads"]
    hd = H // nh
    I = c["mamba_expand"] * H
    N, R, K = c["mamba_d_state"], c["mamba_dt_rank"], c["mamba_d_conv"]
    tie = c.get("tie_word_embeddings", False)
    if c["num_experts"] != 1:
        sys.exit("make_checkpoint: jamba presets have num_experts = 1")
    t = [("model.embed_tokens.weight", (V, H), ("normal", 0.3 if tie else 1.0))]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        t.append((p + "input_layernorm.weight", (H,), ("norm", 0.1)))
        if i % c["attn_layer_period"] == c["attn_layer_offset"]:
            t += lin(p + "self_attn.q_proj", nh * hd, H, 1.0)
            t += lin(p + "self_attn.k_proj", nkv * hd, H, 1.0)
            t += lin(p + "self_attn.v_proj", nkv * hd, H, 1.0)
            t += lin(p + "self_attn.o_proj", H, nh * hd, 0.5)
        else:
            m = p + "mamba."
            t += mamba1_mixer(m, H, I, N, R, K, c["mamba_conv_bias"],
                              c["mamba_proj_bias"], 0.001, 0.1)
            t.append((m + "dt_layernorm.weight", (R,), ("norm", 0.1)))
            t.append((m + "b_layernorm.weight", (N,), ("norm", 0.1)))
            t.append((m + "c_layernorm.weight", (N,), ("norm", 0.1)))
        t.append((p + "pre_ff_layernorm.weight", (H,), ("norm", 0.1)))
        t += lin(p + "feed_forward.gate_proj", F, H, 1.0)
        t += lin(p + "feed_forward.up_proj", F, H, 1.0)
        t += lin(p + "feed_forward.down_proj", H, F, 0.5)
    t.append(("model.final_layernorm.weight", (H,), ("norm", 0.1)))
    if not tie:
        t += lin("lm_head", V, H, 1.5)
    return t


def tensors_bert(c):
    H, V, I = c["hidden_size"], c["vocab_size"], c["intermediate_size"]
    t = [("embeddings.word_embeddings.weight", (V, H), ("normal", 0.5)),
         ("embeddings.position_embeddings.weight",
          (c["max_position_embeddings"], H), ("normal", 0.3)),
         ("embeddings.token_type_embeddings.weight",
          (c["type_vocab_size"], H), ("normal", 0.3)),
         ("embeddings.LayerNorm.weight", (H,), ("norm", 0.1)),
         ("embeddings.LayerNorm.bias", (H,), ("normal", 0.1))]
    for i in range(c["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        t += lin(p + "attention.self.query", H, H, 1.0, True)
        t += lin(p + "attention.self.key", H, H, 1.0, True)
        t += lin(p + "attention.self.value", H, H, 1.0, True)
        t += lin(p + "attention.output.dense", H, H, 1.0, True)
        t.append((p + "attention.output.LayerNorm.weight", (H,), ("norm", 0.1)))
        t.append((p + "attention.output.LayerNorm.bias", (H,), ("normal", 0.1)))
        t += lin(p + "intermediate.dense", I, H, 1.0, True)
        t += lin(p + "output.dense", H, I, 1.0, True)
        t.append((p + "output.LayerNorm.weight", (H,), ("norm", 0.1)))
        t.append((p + "output.LayerNorm.bias", (H,), ("normal", 0.1)))
    t += lin("pooler.dense", H, H, 1.0, True)
    return t


def tensor_specs(c):
    mt = c["model_type"]
    if mt in ("llama", "mistral", "qwen2", "gemma2"):
        return tensors_decoder(c, mt)
    return {"mamba": tensors_mamba, "mamba2": tensors_mamba2,
            "jamba": tensors_jamba, "bert": tensors_bert}[mt](c)


def draw(rng, shape, init):
    kind = init[0]
    if kind == "normal":
        return rng.standard_normal(shape) * init[1]
    if kind == "norm":
        return 1.0 + rng.standard_normal(shape) * init[1]
    if kind == "normal_offset":
        return init[1] + rng.standard_normal(shape) * init[2]
    if kind == "alog":  # S4D-real A = 1..N per channel, perturbed
        a = np.log(np.arange(1, init[1] + 1, dtype=np.float64))
        return np.broadcast_to(a, shape) + rng.standard_normal(shape) * 0.05
    if kind == "alog_heads":
        return np.log(rng.uniform(init[1], init[2], size=shape))
    if kind == "dtbias":  # inverse softplus of a log-uniform step
        lo, hi = math.log(init[1]), math.log(init[2])
        dt = np.exp(rng.uniform(lo, hi, size=shape))
        return dt + np.log(-np.expm1(-dt))
    raise ValueError(kind)

# ---------------------------------------------------------------------------
# safetensors writer
# ---------------------------------------------------------------------------


def f32_to_bf16_bits(a32):
    u = np.ascontiguousarray(a32, dtype="<f4").view("<u4").astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16  # round to nearest even
    return u.astype("<u2")


def encode(a64, dtype):
    a32 = a64.astype("<f4")
    if dtype == "f32":
        return "F32", a32.tobytes()
    if dtype == "f16":
        return "F16", a64.astype("<f4").astype("<f2").tobytes()
    return "BF16", f32_to_bf16_bits(a32).tobytes()


ST_DTYPES = {"f32": ("F32", 4), "f16": ("F16", 2), "bf16": ("BF16", 2)}


def write_safetensors(path, items):
    """items: list of (name, shape, st_dtype, bytes), written sorted by name."""
    items = sorted(items, key=lambda x: x[0])
    header = {"__metadata__": {"format": "pt"}}
    off = 0
    for name, shape, st_dtype, raw in items:
        header[name] = {"dtype": st_dtype, "shape": list(shape),
                        "data_offsets": [off, off + len(raw)]}
        off += len(raw)
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((-len(hj)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for _, _, _, raw in items:
            f.write(raw)


def write_drawn_safetensors(path, items, dtype, rng):
    """items: (name, shape, init) sorted by name. Writes the header from the
    shapes, then draws and writes one tensor at a time, so a checkpoint of
    gigabytes never has to fit in memory."""
    st_dtype, size = ST_DTYPES[dtype]
    header = {"__metadata__": {"format": "pt"}}
    off = 0
    for name, shape, _ in items:
        n = size * math.prod(shape)
        header[name] = {"dtype": st_dtype, "shape": list(shape),
                        "data_offsets": [off, off + n]}
        off += n
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((-len(hj)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for _, shape, init in items:
            a = np.ascontiguousarray(draw(rng, shape, init), dtype=np.float64)
            f.write(encode(a, dtype)[1])
            del a


def make(preset, out, seed=0, dtype="f32", shards=1, overrides=()):
    if preset not in PRESETS:
        sys.exit(f"make_checkpoint: unknown preset '{preset}' "
                 f"(known: {', '.join(PRESETS)})")
    cfg = build_config(preset, list(overrides), dtype)
    specs = tensor_specs(cfg)
    names = [s[0] for s in specs]
    if len(set(names)) != len(names):
        raise AssertionError("duplicate tensor names")
    # Tensors are drawn in name order, the order in which they are written.
    rng = np.random.Generator(np.random.PCG64(seed))
    items = sorted(specs, key=lambda s: s[0])
    nbytes = [ST_DTYPES[dtype][1] * math.prod(it[1]) for it in items]
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):  # leave no stale weights behind
        if f.endswith(".safetensors") or f == "model.safetensors.index.json":
            os.remove(os.path.join(out, f))
    with open(os.path.join(out, "config.json"), "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    if shards <= 1:
        write_drawn_safetensors(os.path.join(out, "model.safetensors"),
                                items, dtype, rng)
        return cfg
    shards = min(shards, len(items))
    # Contiguous runs of the name-sorted tensors, balanced by bytes.
    total = sum(nbytes)
    groups, cur, acc = [], [], 0
    for idx, it in enumerate(items):
        cur.append(it)
        acc += nbytes[idx]
        left_items = len(items) - idx - 1
        left_groups = shards - len(groups) - 1
        if left_groups > 0 and (acc >= total * (len(groups) + 1) / shards
                                or left_items == left_groups):
            groups.append(cur)
            cur = []
    groups.append(cur)
    assert len(groups) == shards and all(groups)
    weight_map = {}
    for i, g in enumerate(groups):
        fname = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        write_drawn_safetensors(os.path.join(out, fname), g, dtype, rng)
        for it in g:
            weight_map[it[0]] = fname
    index = {"metadata": {"total_size": total},
             "weight_map": dict(sorted(weight_map.items()))}
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        f.write(json.dumps(index, indent=2, sort_keys=True) + "\n")
    return cfg


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", required=True, help=", ".join(PRESETS))
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dtype", choices=["f32", "bf16", "f16"], default="f32")
    p.add_argument("--shards", type=int, default=1)
    p.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                   help="override a config field (value parsed as JSON, "
                        "else taken as a string)")
    a = p.parse_args()
    overrides = []
    for kv in a.set:
        if "=" not in kv:
            sys.exit(f"make_checkpoint: --set wants KEY=VALUE, got '{kv}'")
        k, v = kv.split("=", 1)
        try:
            v = json.loads(v)
        except json.JSONDecodeError:
            pass
        overrides.append((k, v))
    make(a.preset, a.out, a.seed, a.dtype, a.shards, overrides)


if __name__ == "__main__":
    main()
