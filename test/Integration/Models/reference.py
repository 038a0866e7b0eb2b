#!/usr/bin/env python3
#===- reference.py - float64 reference for Hugging Face model dirs -------===#
#
# Part of the Tokamak project. An independent float64 NumPy implementation
# of the forward pass of each architecture that test/Integration/Models
# generates (llama, mistral, qwen2, gemma2, mamba, mamba2, jamba, bert),
# written from the Hugging Face modeling code, with its own safetensors
# reader (bf16/f16 widened exactly). It needs numpy only.
#
#   reference.py MODEL_DIR --prompt-ids=1,2,3 --max-new-tokens=N
#                [--kv-window=W [--kv-sinks=S]]
#                [--kv-razor=W,S,H1/H2/... [--kv-block-size=B]]
#                [--kv-snapkv=B,O,K,avg|max [--snapkv-scope=model|layer]
#                 [--snapkv-heads=sum|each] [--snapkv-full-heads=H1/H2/...]]
#                [--kv-h2o=B,R]
#                [--out-logits=l.npy] [--out-tokens=t.npy] [--out-hidden=h.npy]
#                [--mamba2-norm=group|full] [--quiet]
#
# Outputs (the contract with `tokamak-run MODEL --dump-logits/--dump-hidden`,
# DESIGN §7):
#   l.npy  f32 [max_new_tokens, vocab]: row i = the logits after the prompt
#          and the first i generated tokens (row 0: last prompt position).
#   t.npy  i32 [max_new_tokens]: the greedy tokens (argmax, lowest index on
#          ties); every step is a full forward over the whole sequence.
#   h.npy  f32 [prompt_len, hidden]: the final hidden states of the prompt
#          after the final norm, before the head (bert: the last layer's
#          output, which is post-LN). bert takes --max-new-tokens=0.
#
# --kv-window=W --kv-sinks=S: the StreamingLLM policy of `tokamak-run
# --kv-policy=window=W,sinks=S`: every attention layer sees, from query i,
# the keys j <= i with j > i - W or j < S (keys keep their original
# positions: RoPE is applied before caching). This is ANDed with the model's
# own sliding window on the layers that have one. Recurrent layers are not
# affected.
#
# --kv-razor=W,S,H1/H2/...: the per-head policy `--kv-policy=window=W,
# sinks=S,full_heads=H1/H2/...` of the per-head layout (RazorAttention):
# kv heads H1, H2, ... keep every position; every other kv head drops, before
# the token at position n is stored (n >= the prompt length: the prompt is
# stored at once, which drops nothing), each whole block of B rows (block k
# holds positions [kB, (k+1)B), B = --kv-block-size, 16 by default) whose
# first position is >= S and whose last is < n - W + 1, as the session's
# block eviction does; a query at position n sees the positions <= n of its
# kv head's blocks that are left (the model masks no window).
#
# --kv-snapkv=B,O,K,POOL: the session's snapkv policy (snapkv_select).
# --snapkv-scope=model sums the votes over every layer (one cache group),
# layer selects per layer (one cache group per layer); --snapkv-heads=sum
# sums them over the kv heads (the shared layout: one set per block table),
# each selects per kv head (the per-head layout). layer + each is SnapKV
# proper (Li et al. 2024). --snapkv-full-heads: those kv heads keep every
# position (the policy's full_heads).
#
# --kv-h2o=B,R: the H2O policy of `tokamak-run --kv-policy=h2o=B,recent=R`
# (h2o_run): every query adds its attention probabilities, summed over
# layers and heads (the session's one block table), to the scores of the
# positions it sees; whenever more than B + R positions are cached (after
# the prompt, after each decode step) the R newest and the B others with the
# highest scores (ties: lower position) stay. A decode query sees the kept
# positions and itself; keys keep their original RoPE positions.
#
# --mamba2-norm: Mamba-2's gated RMSNorm normalises each group of
# intermediate/n_groups channels separately (`group`, the default: as
# mamba_ssm's RMSNormGated(group_size=intermediate/n_groups) that the
# checkpoints were trained with). transformers' MambaRMSNormGated normalises
# over the whole intermediate size (`full`); the two agree when n_groups = 1.
#
# The min top-1/top-2 logit margin of each step is printed (unless --quiet)
# so a test can pick prompts whose greedy choice is not a near-tie.
#
#===----------------------------------------------------------------------===#
import argparse
import json
import math
import os
import struct
import sys

import numpy as np

# ---------------------------------------------------------------------------
# safetensors reader
# ---------------------------------------------------------------------------

_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8",
           "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}


def read_safetensors(path):
    """Returns ({name: float64 array}, {name: dtype string})."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"{path}: header length {n} past the end of the file")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out, dtypes = {}, {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt, shape = info["dtype"], info["shape"]
        b, e = info["data_offsets"]
        raw = data[base + b: base + e]
        count = int(np.prod(shape)) if shape else 1
        if dt == "BF16":
            if len(raw) != 2 * count:
                raise ValueError(f"{path}: {name}: size mismatch")
            bits = np.frombuffer(raw, "<u2").astype(np.uint32) << 16
            a = bits.view("<f4")
        else:
            if dt not in _DTYPES:
                raise ValueError(f"{path}: {name}: dtype {dt} not supported")
            a = np.frombuffer(raw, _DTYPES[dt])
            if a.size != count:
                raise ValueError(f"{path}: {name}: size mismatch")
        out[name] = a.astype(np.float64).reshape(shape)
        dtypes[name] = dt
    return out, dtypes


def load_model_dir(d):
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    index = os.path.join(d, "model.safetensors.index.json")
    files = []
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    W, dtypes = {}, {}
    for fn in files:
        w, dt = read_safetensors(os.path.join(d, fn))
        W.update(w)
        dtypes.update(dt)
    return cfg, W, dtypes

# ---------------------------------------------------------------------------
# Building blocks (float64)
# ---------------------------------------------------------------------------


def linear(x, W, p):
    y = x @ W[p + ".weight"].T
    b = W.get(p + ".bias")
    if b is not None:
        y = y + b
    return y


def rms_norm(x, w, eps, offset=0.0):
    var = np.mean(x * x, axis=-1, keepdims=True)
    return x / np.sqrt(var + eps) * (offset + w)


def layer_norm(x, w, b, eps):
    mu = np.mean(x, axis=-1, keepdims=True)
    var = np.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def silu(x):
    return x / (1.0 + np.exp(-x))


def softplus(x):
    return np.where(x > 20.0, x, np.log1p(np.exp(np.minimum(x, 20.0))))


def gelu_erf(x):
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


ACT = {"silu": silu, "swish": silu, "gelu": gelu_erf,
       "gelu_pytorch_tanh": gelu_tanh, "gelu_new": gelu_tanh,
       "relu": lambda x: np.maximum(x, 0.0)}


def softmax(s, axis=-1):
    m = np.max(s, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.exp(s - m)
    d = np.sum(e, axis=axis, keepdims=True)
    return np.where(d > 0, e / np.where(d > 0, d, 1.0), 0.0)


def rope_inv_freq(cfg, dim):
    """HF's ROPE_INIT_FUNCTIONS for default / linear / llama3, in float64."""
    base = float(cfg.get("rope_theta", 10000.0))
    inv = 1.0 / base ** (np.arange(0, dim, 2, dtype=np.float64) / dim)
    rs = cfg.get("rope_scaling")
    if not rs:
        return inv
    kind = rs.get("rope_type", rs.get("type"))
    if kind == "default":
        return inv
    if kind == "linear":
        return inv / float(rs["factor"])
    if kind == "llama3":
        factor = float(rs["factor"])
        lo, hi = float(rs["low_freq_factor"]), float(rs["high_freq_factor"])
        old = float(rs["original_max_position_embeddings"])
        low_wl, high_wl = old / lo, old / hi
        wl = 2.0 * math.pi / inv
        out = np.where(wl > low_wl, inv / factor, inv)
        smooth = (old / wl - lo) / (hi - lo)
        smoothed = (1.0 - smooth) * out / factor + smooth * out
        medium = ~(wl < high_wl) & ~(wl > low_wl)
        return np.where(medium, smoothed, out)
    raise SystemExit(f"reference: rope type '{kind}' is not supported")


def apply_rope(x, inv_freq):
    """x [L, heads, D], NeoX (rotate_half) layout, positions 0..L-1."""
    L = x.shape[0]
    ang = np.arange(L, dtype=np.float64)[:, None] * inv_freq[None, :]
    emb = np.concatenate([ang, ang], axis=-1)
    cos, sin = np.cos(emb)[:, None, :], np.sin(emb)[:, None, :]
    half = x.shape[-1] // 2
    rot = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
    return x * cos + rot * sin


def visible_mask(L, causal=True, window=None, policy=None):
    i = np.arange(L)[:, None]
    j = np.arange(L)[None, :]
    m = np.ones((L, L), dtype=bool)
    if causal:
        m &= j <= i
    if window:
        m &= j > i - window
    if policy is not None:
        pw, ps = policy
        m &= (j > i - pw) | (j < ps)
    return m


def attention(x, W, p, nh, nkv, hd, scale, mask, inv_freq=None, softcap=None,
              names=("q_proj", "k_proj", "v_proj", "o_proj"), probs=None):
    """With `probs` (a list), appends each query head's probabilities [L, L].
    `mask` is [L, L], or [nkv, L, L]: one per kv head."""
    L = x.shape[0]
    q = linear(x, W, p + names[0]).reshape(L, nh, hd)
    k = linear(x, W, p + names[1]).reshape(L, nkv, hd)
    v = linear(x, W, p + names[2]).reshape(L, nkv, hd)
    if inv_freq is not None:
        q, k = apply_rope(q, inv_freq), apply_rope(k, inv_freq)
    rep = nh // nkv
    out = np.empty((L, nh, hd))
    for h in range(nh):
        g = h // rep
        s = (q[:, h, :] @ k[:, g, :].T) * scale
        if softcap:
            s = softcap * np.tanh(s / softcap)
        s = np.where(mask[g] if mask.ndim == 3 else mask, s, -np.inf)
        a = softmax(s)
        if probs is not None:
            probs.append(a)
        out[:, h, :] = a @ v[:, g, :]
    return linear(out.reshape(L, nh * hd), W, p + names[3])


def causal_conv1d(x, w, b):
    """x [L, C], w [C, 1, K]: PyTorch Conv1d(groups=C, padding=K-1)[:L]."""
    L, C = x.shape
    K = w.shape[-1]
    xp = np.concatenate([np.zeros((K - 1, C)), x], axis=0)
    y = np.zeros((L, C))
    for k in range(K):
        y += xp[k:k + L, :] * w[:, 0, k][None, :]
    if b is not None:
        y += b
    return y

# ---------------------------------------------------------------------------
# Architectures: each returns the final normed hidden states [L, H]
# ---------------------------------------------------------------------------


class Decoder:
    """llama, mistral, qwen2, gemma2."""

    def __init__(self, cfg, W, dtypes, opts):
        self.cfg, self.W, self.opts = cfg, W, opts
        mt = cfg["model_type"]
        self.mt = mt
        self.H = cfg["hidden_size"]
        self.nh = cfg["num_attention_heads"]
        self.nkv = cfg.get("num_key_value_heads") or self.nh
        self.hd = cfg.get("head_dim") or self.H // self.nh
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.act = ACT[cfg.get("hidden_activation") or cfg.get("hidden_act", "silu")]
        self.inv_freq = rope_inv_freq(cfg, self.hd)
        n = cfg["num_hidden_layers"]
        self.windows = [None] * n
        if mt == "mistral":
            self.windows = [cfg.get("sliding_window")] * n
        elif mt == "qwen2":
            if cfg.get("use_sliding_window") and cfg.get("sliding_window"):
                mwl = cfg.get("max_window_layers", n)
                self.windows = [cfg["sliding_window"] if i >= mwl else None
                                for i in range(n)]
        elif mt == "gemma2":
            self.windows = [cfg.get("sliding_window") if i % 2 == 0 else None
                            for i in range(n)]
        if mt == "gemma2":
            self.scale = float(cfg["query_pre_attn_scalar"]) ** -0.5
            self.softcap = cfg.get("attn_logit_softcapping")
            # HF: torch.tensor(hidden_size ** 0.5, dtype=hidden_states.dtype)
            norm = math.sqrt(self.H)
            dt = dtypes.get("model.embed_tokens.weight", "F32")
            if opts.get("gemma_normalizer") != "f64":
                norm = round_to(norm, dt)
            self.normalizer = norm
        else:
            self.scale = self.hd ** -0.5
            self.softcap = None
        self.tie = cfg.get("tie_word_embeddings", mt == "gemma2")

    def hidden(self, ids, probs=None):
        """With `probs` (a list), appends every layer's and head's attention
        probabilities. opts["snapkv_keep"] = (P, kept): queries from P on see
        only the kept prompt positions (and every position from P on)."""
        W, L = self.W, len(ids)
        x = W["model.embed_tokens.weight"][ids]
        gemma = self.mt == "gemma2"
        off = 1.0 if gemma else 0.0
        if gemma:
            x = x * self.normalizer
        policy = self.opts.get("kv_policy")
        for i in range(self.cfg["num_hidden_layers"]):
            p = f"model.layers.{i}."
            mask = visible_mask(L, True, self.windows[i], policy)
            if self.opts.get("snapkv_keep") is not None:
                # kept: a list for every layer and head, or a dict
                # {(layer, kv head): list}.
                P, kept = self.opts["snapkv_keep"]
                masks = []
                for g in range(self.nkv):
                    keep = kept[(i, g)] if isinstance(kept, dict) else kept
                    dropped = np.ones(L, dtype=bool)
                    dropped[P:] = False
                    dropped[list(keep)] = False
                    m = mask.copy()
                    m[P:, :] &= ~dropped[None, :]
                    masks.append(m)
                mask = np.stack(masks)
            if self.opts.get("razor") is not None:
                mask = razor_mask(mask, self.nkv, self.opts["razor"],
                                  self.opts["prompt_len"])
            for q, seen in self.opts.get("h2o_visible", {}).items():
                if q < L:
                    row = np.zeros(L, dtype=bool)
                    row[list(seen)] = True
                    mask[..., q, :] &= row
            h = rms_norm(x, W[p + "input_layernorm.weight"], self.eps, off)
            h = attention(h, W, p + "self_attn.", self.nh, self.nkv, self.hd,
                          self.scale, mask, self.inv_freq, self.softcap,
                          probs=probs)
            if gemma:
                h = rms_norm(h, W[p + "post_attention_layernorm.weight"], self.eps, off)
                x = x + h
                h = rms_norm(x, W[p + "pre_feedforward_layernorm.weight"], self.eps, off)
            else:
                x = x + h
                h = rms_norm(x, W[p + "post_attention_layernorm.weight"], self.eps)
            m = p + "mlp."
            h = linear(self.act(linear(h, W, m + "gate_proj")) * linear(h, W, m + "up_proj"),
                       W, m + "down_proj")
            if gemma:
                h = rms_norm(h, W[p + "post_feedforward_layernorm.weight"], self.eps, off)
            x = x + h
        return rms_norm(x, W["model.norm.weight"], self.eps, off)

    def logits(self, h):
        W = self.W
        head = W["model.embed_tokens.weight"] if self.tie else W["lm_head.weight"]
        z = h @ head.T
        cap = self.cfg.get("final_logit_softcapping") if self.mt == "gemma2" else None
        if cap:
            z = cap * np.tanh(z / cap)
        return z


def mamba1_mixer(x, W, p, act, N, R, dt_norms=None):
    """HF MambaMixer.slow_forward / JambaMambaMixer.slow_forward, sequential."""
    L = x.shape[0]
    xz = linear(x, W, p + "in_proj")
    I = xz.shape[1] // 2
    xs, z = xz[:, :I], xz[:, I:]
    xs = act(causal_conv1d(xs, W[p + "conv1d.weight"], W.get(p + "conv1d.bias")))
    dbc = xs @ W[p + "x_proj.weight"].T
    dt, B, C = dbc[:, :R], dbc[:, R:R + N], dbc[:, R + N:R + 2 * N]
    if dt_norms is not None:  # Jamba: RMSNorm on dt, B, C
        eps = dt_norms
        dt = rms_norm(dt, W[p + "dt_layernorm.weight"], eps)
        B = rms_norm(B, W[p + "b_layernorm.weight"], eps)
        C = rms_norm(C, W[p + "c_layernorm.weight"], eps)
    delta = softplus(linear(dt, W, p + "dt_proj"))  # [L, I]
    A = -np.exp(W[p + "A_log"])  # [I, N]
    D = W[p + "D"]
    state = np.zeros((I, N))
    y = np.empty((L, I))
    for t in range(L):
        state = np.exp(delta[t][:, None] * A) * state \
            + (delta[t] * xs[t])[:, None] * B[t][None, :]
        y[t] = state @ C[t] + D * xs[t]
    y = y * act(z)
    return linear(y, W, p + "out_proj")


class Mamba:
    def __init__(self, cfg, W, dtypes, opts):
        self.cfg, self.W = cfg, W
        self.eps = cfg.get("layer_norm_epsilon", 1e-5)
        self.act = ACT[cfg.get("hidden_act", "silu")]
        self.N = cfg["state_size"]
        self.R = int(cfg["time_step_rank"])

    def hidden(self, ids):
        W = self.W
        x = W["backbone.embeddings.weight"][ids]
        for i in range(self.cfg["num_hidden_layers"]):
            p = f"backbone.layers.{i}."
            h = rms_norm(x, W[p + "norm.weight"], self.eps)
            x = x + mamba1_mixer(h, W, p + "mixer.", self.act, self.N, self.R)
        return rms_norm(x, W["backbone.norm_f.weight"], self.eps)

    def logits(self, h):
        W = self.W
        tie = self.cfg.get("tie_word_embeddings", True)
        head = W["backbone.embeddings.weight"] if tie else W["lm_head.weight"]
        return h @ head.T


class Mamba2:
    def __init__(self, cfg, W, dtypes, opts):
        self.cfg, self.W = cfg, W
        self.eps = cfg.get("layer_norm_epsilon", 1e-5)
        self.act = ACT[cfg.get("hidden_act", "silu")]
        self.H = cfg["hidden_size"]
        self.I = int(cfg.get("expand", 2) * self.H)
        self.N, self.G = cfg["state_size"], cfg.get("n_groups", 1)
        self.nh, self.hd = cfg["num_heads"], cfg["head_dim"]
        lim = cfg.get("time_step_limit", [0.0, float("inf")])
        self.dt_lo, self.dt_hi = float(lim[0]), float(lim[1])
        self.group_norm = opts.get("mamba2_norm", "group") == "group"

    def mixer(self, x, p):
        W, L = self.W, x.shape[0]
        I, N, G, nh, hd = self.I, self.N, self.G, self.nh, self.hd
        zxbcdt = linear(x, W, p + "in_proj")
        d_mlp = (zxbcdt.shape[1] - 2 * I - 2 * G * N - nh) // 2
        zxbcdt = zxbcdt[:, 2 * d_mlp:]
        z = zxbcdt[:, :I]
        xbc = zxbcdt[:, I:I + I + 2 * G * N]
        dt = zxbcdt[:, 2 * I + 2 * G * N:]
        xbc = self.act(causal_conv1d(xbc, W[p + "conv1d.weight"], W.get(p + "conv1d.bias")))
        xs = xbc[:, :I].reshape(L, nh, hd)
        B = xbc[:, I:I + G * N].reshape(L, G, N)
        C = xbc[:, I + G * N:].reshape(L, G, N)
        dt = np.clip(softplus(dt + W[p + "dt_bias"]), self.dt_lo, self.dt_hi)  # [L, nh]
        A = -np.exp(W[p + "A_log"])  # [nh]
        D = W[p + "D"]
        grp = np.arange(nh) // (nh // G)  # head h reads group h // (nh / G)
        state = np.zeros((nh, hd, N))
        y = np.empty((L, nh, hd))
        for t in range(L):
            Bt, Ct = B[t][grp], C[t][grp]  # [nh, N]
            state = np.exp(dt[t] * A)[:, None, None] * state \
                + (dt[t][:, None] * xs[t])[:, :, None] * Bt[:, None, :]
            y[t] = np.einsum("hdn,hn->hd", state, Ct) + D[:, None] * xs[t]
        y = y.reshape(L, I) * self.act(z)
        if self.group_norm:
            yg = y.reshape(L, G, I // G)
            yg = yg / np.sqrt(np.mean(yg * yg, axis=-1, keepdims=True) + self.eps)
            y = yg.reshape(L, I) * W[p + "norm.weight"]
        else:
            y = rms_norm(y, W[p + "norm.weight"], self.eps)
        return linear(y, W, p + "out_proj")

    def hidden(self, ids):
        W = self.W
        x = W["backbone.embeddings.weight"][ids]
        for i in range(self.cfg["num_hidden_layers"]):
            p = f"backbone.layers.{i}."
            h = rms_norm(x, W[p + "norm.weight"], self.eps)
            x = x + self.mixer(h, p + "mixer.")
        return rms_norm(x, W["backbone.norm_f.weight"], self.eps)

    def logits(self, h):
        W = self.W
        tie = self.cfg.get("tie_word_embeddings", False)
        head = W["backbone.embeddings.weight"] if tie else W["lm_head.weight"]
        return h @ head.T


class Jamba:
    def __init__(self, cfg, W, dtypes, opts):
        self.cfg, self.W, self.opts = cfg, W, opts
        self.H = cfg["hidden_size"]
        self.nh = cfg["num_attention_heads"]
        self.nkv = cfg.get("num_key_value_heads") or self.nh
        self.hd = self.H // self.nh
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.act = ACT[cfg.get("hidden_act", "silu")]
        self.N = cfg["mamba_d_state"]
        self.R = int(cfg["mamba_dt_rank"])
        if cfg.get("num_experts", 1) != 1:
            raise SystemExit("reference: jamba with num_experts > 1 (MoE) is not supported")
        if cfg.get("sliding_window"):
            raise SystemExit("reference: jamba with sliding_window is not supported")

    def hidden(self, ids):
        W, cfg, L = self.W, self.cfg, len(ids)
        x = W["model.embed_tokens.weight"][ids]
        mask = visible_mask(L, True, None, self.opts.get("kv_policy"))
        for i in range(cfg["num_hidden_layers"]):
            p = f"model.layers.{i}."
            h = rms_norm(x, W[p + "input_layernorm.weight"], self.eps)
            if i % cfg["attn_layer_period"] == cfg["attn_layer_offset"]:
                h = attention(h, W, p + "self_attn.", self.nh, self.nkv, self.hd,
                              self.hd ** -0.5, mask)  # no RoPE in Jamba
            else:
                h = mamba1_mixer(h, W, p + "mamba.", self.act, self.N, self.R,
                                 dt_norms=self.eps)
            x = x + h
            h = rms_norm(x, W[p + "pre_ff_layernorm.weight"], self.eps)
            m = p + "feed_forward."
            x = x + linear(self.act(linear(h, W, m + "gate_proj")) * linear(h, W, m + "up_proj"),
                           W, m + "down_proj")
        return rms_norm(x, W["model.final_layernorm.weight"], self.eps)

    def logits(self, h):
        W = self.W
        tie = self.cfg.get("tie_word_embeddings", False)
        head = W["model.embed_tokens.weight"] if tie else W["lm_head.weight"]
        return h @ head.T


class Bert:
    def __init__(self, cfg, W, dtypes, opts):
        self.cfg, self.W = cfg, W
        pfx = "bert." if "bert.embeddings.word_embeddings.weight" in W else ""
        self.p = pfx
        self.H = cfg["hidden_size"]
        self.nh = cfg["num_attention_heads"]
        self.eps = cfg.get("layer_norm_eps", 1e-12)
        self.act = ACT[cfg.get("hidden_act", "gelu")]
        if cfg.get("position_embedding_type", "absolute") != "absolute":
            raise SystemExit("reference: bert needs position_embedding_type absolute")

    def hidden(self, ids):
        W, p, L = self.W, self.p, len(ids)
        if L > self.cfg["max_position_embeddings"]:
            raise SystemExit("reference: prompt longer than max_position_embeddings")
        e = p + "embeddings."
        x = (W[e + "word_embeddings.weight"][ids]
             + W[e + "position_embeddings.weight"][:L]
             + W[e + "token_type_embeddings.weight"][0])
        x = layer_norm(x, W[e + "LayerNorm.weight"], W[e + "LayerNorm.bias"], self.eps)
        hd = self.H // self.nh
        mask = np.ones((L, L), dtype=bool)
        for i in range(self.cfg["num_hidden_layers"]):
            q = f"{p}encoder.layer.{i}."
            a = attention(x, W, q + "attention.", self.nh, self.nh, hd, hd ** -0.5, mask,
                          names=("self.query", "self.key", "self.value", "output.dense"))
            x = layer_norm(a + x, W[q + "attention.output.LayerNorm.weight"],
                           W[q + "attention.output.LayerNorm.bias"], self.eps)
            f = linear(self.act(linear(x, W, q + "intermediate.dense")), W, q + "output.dense")
            x = layer_norm(f + x, W[q + "output.LayerNorm.weight"],
                           W[q + "output.LayerNorm.bias"], self.eps)
        return x

    def logits(self, h):
        raise SystemExit("reference: bert has no language-model head; use --max-new-tokens=0")


ARCHS = {"llama": Decoder, "mistral": Decoder, "qwen2": Decoder, "gemma2": Decoder,
         "mamba": Mamba, "mamba2": Mamba2, "jamba": Jamba, "bert": Bert}


def round_to(value, st_dtype):
    if st_dtype == "F32":
        return float(np.float32(value))
    if st_dtype == "F16":
        return float(np.float16(value))
    if st_dtype == "BF16":
        u = int(np.array([value], dtype="<f4").view("<u4")[0])
        u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
        return float(np.array([u], dtype="<u4").view("<f4")[0])
    return float(value)


def build(model_dir, opts=None):
    cfg, W, dtypes = load_model_dir(model_dir)
    mt = cfg.get("model_type")
    if mt not in ARCHS:
        raise SystemExit(f"reference: model_type '{mt}' is not supported")
    return ARCHS[mt](cfg, W, dtypes, opts or {})


def razor_mask(mask, nkv, razor, P):
    """Per-kv-head masks [nkv, L, L] of --kv-razor (see the header)."""
    W, S, full, B = razor
    L = mask.shape[-1]
    base = mask if mask.ndim == 3 else np.stack([mask] * nkv)
    out = base.copy()
    for g in range(nkv):
        if g in full:
            continue
        for n in range(P, L):
            for j in range(n + 1):
                k = j // B
                if k * B >= S and (k + 1) * B - 1 < n - W + 1:
                    out[g, n, j] = False
    return out


def snapkv_pick(votes, P, budget, obs, kernel, pool):
    """Top `budget` pooled prefix keys of `votes` [P] and the last `obs`."""
    prefix = P - obs
    v = votes[:prefix]
    half = kernel // 2
    pooled = np.empty(prefix)
    for j in range(prefix):
        win = v[max(j - half, 0):min(j + half, prefix - 1) + 1]
        pooled[j] = win.sum() / kernel if pool == "avg" else win.max()
    order = sorted(range(prefix), key=lambda j: (-pooled[j], j))
    return sorted(order[:budget]) + list(range(prefix, P))


def snapkv_select_scoped(probs, P, budget, obs, kernel, pool, layers, nh,
                         nkv, scope, heads, full=()):
    """snapkv_select per cache group and head: `probs` holds layer-major,
    query-head-minor [L, L] probabilities; returns {(layer, kv head): kept}.
    scope "model": one group (votes of every layer), "layer": a group per
    layer; heads "sum": one set for every kv head, "each": one per kv head
    (query head h votes for kv head h // (nh // nkv)). kv heads in `full`
    keep every position (full_heads)."""
    obs = min(obs, P)
    rep = nh // nkv
    groups = [list(range(layers))] if scope == "model" else \
        [[l] for l in range(layers)]
    kept = {}
    for group in groups:
        votes = np.zeros((nkv, P))
        for l in group:
            for h in range(nh):
                votes[h // rep] += probs[l * nh + h][P - obs:, :P].sum(axis=0)
        for g in range(nkv):
            if P - obs <= budget or g in full:
                keep = list(range(P))
            elif heads == "sum":
                keep = snapkv_pick(votes.sum(axis=0), P, budget, obs, kernel,
                                   pool)
            else:
                keep = snapkv_pick(votes[g], P, budget, obs, kernel, pool)
            for l in group:
                kept[(l, g)] = keep
    return kept


def snapkv_select(probs, P, budget, obs, kernel, pool):
    """SnapKV (Li et al. 2024) on one block table: the votes of key j are the
    probabilities the last `obs` prompt queries give it, summed over every
    layer and head (the session's shared layout keeps one set of positions);
    the prefix [0, P - obs) is pooled with a 1-D window of `kernel` (avg:
    zero padding, divided by kernel; max: padding ignored) and its top
    `budget` keys (ties: lower position) are kept with the last `obs`."""
    obs = min(obs, P)
    prefix = P - obs
    if prefix <= budget:
        return list(range(P))
    votes = np.zeros(P)
    for a in probs:
        votes += a[P - obs:, :].sum(axis=0)
    v = votes[:prefix]
    half = kernel // 2
    pooled = np.empty(prefix)
    for j in range(prefix):
        win = v[max(j - half, 0):min(j + half, prefix - 1) + 1]
        pooled[j] = win.sum() / kernel if pool == "avg" else win.max()
    order = sorted(range(prefix), key=lambda j: (-pooled[j], j))
    return sorted(order[:budget]) + list(range(prefix, P))


def h2o_evict(cached, score, budget, recent):
    """H2O's keep set of the ascending positions `cached`: all of them when
    there are at most budget + recent, else the `recent` newest and the
    `budget` others with the highest score (ties: lower position)."""
    if len(cached) <= budget + recent:
        return list(cached)
    older = cached[:len(cached) - recent]
    heavy = sorted(older, key=lambda j: (-score[j], j))[:budget]
    return sorted(heavy) + list(cached[len(cached) - recent:])


def h2o_run(model, prompt, max_new_tokens, budget, recent):
    """Greedy generation under H2O, each step a full forward in which query
    q >= P sees only the positions cached when it ran (opts["h2o_visible"]).
    Returns what run() does."""
    ids = list(prompt)
    P = len(ids)
    score = np.zeros(P + max_new_tokens)
    visible = {}
    model.opts["h2o_visible"] = visible
    rows, toks, margins = [], [], []
    cached = list(range(P))
    hidden = None
    for step in range(max_new_tokens):
        probs = []
        h = model.hidden(np.array(ids), probs)
        if step == 0:
            hidden = h
            for a in probs:  # every prompt query
                score[:P] += a[:P, :P].sum(axis=0)
        else:
            q = len(ids) - 1
            for a in probs:
                score[:q + 1] += a[q, :q + 1]
        cached = h2o_evict(cached, score, budget, recent)
        z = model.logits(h[-1:])[0]
        tok = int(np.argmax(z))
        top2 = np.sort(z)[-2:] if z.size > 1 else np.array([z[0], z[0]])
        margins.append(float(top2[1] - top2[0]))
        rows.append(z)
        toks.append(tok)
        # The next query (this token, at position len(ids)) sees the kept
        # positions and itself.
        visible[len(ids)] = cached + [len(ids)]
        cached = cached + [len(ids)]
        ids.append(tok)
    if not model.opts.get("quiet"):
        print(f"reference: h2o keeps positions {cached[:-1]} after the last "
              f"step", file=sys.stderr)
    V = model.cfg.get("vocab_size", 0)
    logits = np.stack(rows) if rows else np.zeros((0, V))
    return logits, np.array(toks, dtype=np.int64), hidden, margins


def run(model, prompt, max_new_tokens):
    """Returns (logits [N, V] f64, tokens [N], hidden [P, H] f64, margins)."""
    ids = list(prompt)
    opts = getattr(model, "opts", {})
    probs = [] if opts.get("snapkv") else None
    hidden = model.hidden(np.array(ids), probs) if probs is not None \
        else model.hidden(np.array(ids))
    if probs is not None:
        budget, obs, kernel, pool = model.opts["snapkv"]
        scope = model.opts.get("snapkv_scope", "model")
        heads = model.opts.get("snapkv_heads", "sum")
        if scope == "model" and heads == "sum" and \
                not model.opts.get("snapkv_full"):
            kept = snapkv_select(probs, len(ids), budget, obs, kernel, pool)
        else:
            kept = snapkv_select_scoped(
                probs, len(ids), budget, obs, kernel, pool,
                model.cfg["num_hidden_layers"], model.nh, model.nkv, scope,
                heads, model.opts.get("snapkv_full", ()))
        model.opts["snapkv_keep"] = (len(ids), kept)
        if not model.opts.get("quiet"):
            if isinstance(kept, dict):
                for key in sorted(kept):
                    print(f"reference: snapkv layer {key[0]} kv head "
                          f"{key[1]} keeps {kept[key]}", file=sys.stderr)
            else:
                print(f"reference: snapkv keeps {len(kept)} of {len(ids)} "
                      f"positions: {kept}", file=sys.stderr)
    rows, toks, margins = [], [], []
    h = hidden
    for step in range(max_new_tokens):
        if step > 0:
            h = model.hidden(np.array(ids))
        z = model.logits(h[-1:])[0]
        tok = int(np.argmax(z))
        top2 = np.sort(z)[-2:] if z.size > 1 else np.array([z[0], z[0]])
        margins.append(float(top2[1] - top2[0]))
        rows.append(z)
        toks.append(tok)
        ids.append(tok)
    V = model.cfg.get("vocab_size", 0)
    logits = np.stack(rows) if rows else np.zeros((0, V))
    return logits, np.array(toks, dtype=np.int64), hidden, margins


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model_dir")
    p.add_argument("--prompt-ids", required=True)
    p.add_argument("--max-new-tokens", type=int, default=0)
    p.add_argument("--kv-window", type=int)
    p.add_argument("--kv-sinks", type=int, default=0)
    p.add_argument("--kv-snapkv", help="BUDGET,OBS,KERNEL,avg|max: the "
                   "session's snapkv policy (snapkv_select)")
    p.add_argument("--snapkv-scope", choices=["model", "layer"],
                   default="model")
    p.add_argument("--snapkv-heads", choices=["sum", "each"], default="sum")
    p.add_argument("--snapkv-full-heads", default="",
                   help="H1/H2/...: kv heads that keep every position")
    p.add_argument("--kv-razor", help="W,S,H1/H2/...: the per-head window "
                   "policy with full heads (razor_mask)")
    p.add_argument("--kv-block-size", type=int, default=16)
    p.add_argument("--kv-h2o", help="B,R: the session's h2o policy "
                   "(h2o_run)")
    p.add_argument("--out-logits")
    p.add_argument("--out-tokens")
    p.add_argument("--out-hidden")
    p.add_argument("--mamba2-norm", choices=["group", "full"], default="group")
    p.add_argument("--gemma-normalizer", choices=["checkpoint", "f64"],
                   default="checkpoint", help=argparse.SUPPRESS)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args()
    try:
        prompt = [int(t) for t in a.prompt_ids.split(",") if t.strip() != ""]
    except ValueError:
        sys.exit(f"reference: bad --prompt-ids '{a.prompt_ids}'")
    if not prompt:
        sys.exit("reference: empty prompt")
    opts = {"mamba2_norm": a.mamba2_norm, "gemma_normalizer": a.gemma_normalizer}
    if a.kv_window is not None:
        if a.kv_window < 1:
            sys.exit("reference: --kv-window must be >= 1")
        opts["kv_policy"] = (a.kv_window, a.kv_sinks)
    if a.kv_snapkv:
        b, o, k, pool = a.kv_snapkv.split(",")
        opts["snapkv"] = (int(b), int(o), int(k), pool)
        opts["snapkv_scope"] = a.snapkv_scope
        opts["snapkv_heads"] = a.snapkv_heads
        opts["snapkv_full"] = [int(h) for h in a.snapkv_full_heads.split("/")
                               if h != ""]
        opts["quiet"] = a.quiet
    if a.kv_razor:
        w, sk, heads = a.kv_razor.split(",")
        full = [int(h) for h in heads.split("/") if h != ""]
        opts["razor"] = (int(w), int(sk), full, a.kv_block_size)
        opts["prompt_len"] = len(prompt)
    model = build(a.model_dir, opts)
    V = model.cfg.get("vocab_size")
    if V is not None and any(t < 0 or t >= V for t in prompt):
        sys.exit(f"reference: prompt id out of range [0, {V})")
    if a.kv_h2o:
        b, r = (int(x) for x in a.kv_h2o.split(","))
        model.opts["quiet"] = a.quiet
        logits, toks, hidden, margins = h2o_run(model, prompt,
                                                a.max_new_tokens, b, r)
    else:
        logits, toks, hidden, margins = run(model, prompt, a.max_new_tokens)
    if a.out_logits:
        np.save(a.out_logits, logits.astype(np.float32))
    if a.out_tokens:
        np.save(a.out_tokens, toks.astype(np.int32))
    if a.out_hidden:
        np.save(a.out_hidden, hidden.astype(np.float32))
    if not a.quiet:
        print(f"reference: {model.cfg['model_type']} prompt {len(prompt)} tokens -> "
              f"{toks.tolist()}", file=sys.stderr)
        if margins:
            print(f"reference: min top-1/top-2 logit margin {min(margins):.4g} "
                  f"(step {int(np.argmin(margins))})", file=sys.stderr)


if __name__ == "__main__":
    main()
