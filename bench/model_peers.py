#!/usr/bin/env python3
"""The peers of the model rows (bench/README.md, "The model rows").

    .venv-peers/bin/python bench/model_peers.py --peer=llamacpp|transformers
        --model-dir=DIR [--threads=N] [--prompt-tokens=512]
        [--decode-tokens=128] [--decode-prompt-tokens=16] [--batch=1,8]

Runs one peer on the Hugging Face directory DIR (config.json +
model.safetensors, F32 or BF16, as bench/models.py writes them) and prints
one JSON object per line, with the phases of tokamak-bench-model:

    {"kind":"peer","name":...,"version":...,"detail":...,"threads":N}
    {"kind":"result","phase":"prefill","batch":1,"tokens":512,"seconds":...,
     "tokens_per_s":...}
    {"kind":"result","phase":"decode","batch":8,"steps":128,"tokens":1024,
     "seconds":...,"tokens_per_s":...}
    {"kind":"error","phase":...,"message":...}
    {"kind":"unavailable","message":...}     (the peer's package is missing)

- transformers: AutoModelForCausalLM in the checkpoint's dtype under
  torch.inference_mode with torch.set_num_threads(N). Prefill is one
  forward over the prompt with use_cache (logits of the last position only
  where the model takes logits_to_keep, as generate() does). Decode is
  one `generate` (greedy, min_new_tokens = max_new_tokens = 1 + steps) of
  B sequences of --decode-prompt-tokens tokens, with a logits processor
  that records when each token's logits arrive: from the first token's
  (after the prompt's forward) to the last's are `steps` decode steps,
  generate's own work per step included.
- llama.cpp: the low-level API of llama-cpp-python (llama_decode over
  llama_batch), n_threads = n_threads_batch = N, one context per phase
  with n_seq_max = its number of sequences (as llama-bench), on a GGUF
  that convert_gguf() writes from the same safetensors with the gguf
  package (F32 or BF16 like the checkpoint; 1-D tensors and the Mamba conv
  and A in F32, as llama.cpp's convert_hf_to_gguf.py writes them). Prefill
  is one llama_decode of the prompt (n_batch = n_ubatch = prompt length,
  logits of the last token); decode is one llama_decode per step holding
  one token of each of B sequences (seq ids 0..B-1).

Each phase runs after an untimed warm-up (the same short prompt and one
step), on fresh sequences, with the same token ids for every side
(tokens do not matter to the timing; greedy tokens are fed back).
"""

import argparse
import ctypes
import json
import math
import os
import sys
import time

import numpy as np


def emit(**fields):
    print(json.dumps(fields), flush=True)


def now():
    return time.perf_counter()


def time_phases(args, batches, prefill, decode):
    """Times and emits the rows every side reports: `prefill()` (seconds for
    --prompt-tokens tokens of one sequence) and `decode(batch, steps, seed)`
    (seconds for --decode-tokens steps of `batch` sequences)."""
    if args.prompt_tokens > 0:
        seconds = prefill()
        emit(kind="result", phase="prefill", batch=1,
             tokens=args.prompt_tokens, seconds=seconds,
             tokens_per_s=args.prompt_tokens / seconds)
    if args.decode_tokens > 0:
        for batch in batches:
            seconds = decode(batch, args.decode_tokens, 1000)
            tokens = batch * args.decode_tokens
            emit(kind="result", phase="decode", batch=batch,
                 steps=args.decode_tokens, tokens=tokens, seconds=seconds,
                 tokens_per_s=tokens / seconds)


def random_tokens(count, vocab, seed):
    rng = np.random.Generator(np.random.PCG64(seed))
    return [int(t) for t in rng.integers(0, vocab, size=count)]


# ---------------------------------------------------------------------------
# safetensors, memory-mapped (no copy until the GGUF is written)
# ---------------------------------------------------------------------------

ST_NUMPY = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16}


def read_safetensors(path):
    """name -> (memory-mapped array, safetensors dtype)."""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = ST_NUMPY[info["dtype"]]
        count = (end - begin) // np.dtype(dtype).itemsize
        arr = np.memmap(path, dtype=dtype, mode="r", offset=base + begin,
                        shape=(count,)).reshape(info["shape"])
        out[name] = (arr, info["dtype"])
    return out


def as_f32(arr, st_dtype):
    if st_dtype == "BF16":
        return (np.asarray(arr, dtype=np.uint32) << 16).view(np.float32)
    return np.asarray(arr, dtype=np.float32)


def to_bf16_bits(a32):
    u = np.ascontiguousarray(a32, dtype=np.float32).view(np.uint32)
    u = u.astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


# ---------------------------------------------------------------------------
# GGUF conversion
# ---------------------------------------------------------------------------

def permute_qk(w, n_head, n_head_kv):
    """convert_hf_to_gguf.py's LlamaModel.permute: HF's rotate-half q/k rows
    to llama.cpp's interleaved pairs."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


def llama_tensors(cfg, st):
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    names = {"model.embed_tokens.weight": "token_embd.weight",
             "model.norm.weight": "output_norm.weight",
             "lm_head.weight": "output.weight"}
    per_layer = {"input_layernorm": "attn_norm",
                 "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
                 "self_attn.v_proj": "attn_v",
                 "self_attn.o_proj": "attn_output",
                 "post_attention_layernorm": "ffn_norm",
                 "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
                 "mlp.down_proj": "ffn_down"}
    for name, (arr, st_dtype) in st.items():
        if name in names:
            yield names[name], arr, st_dtype, None
            continue
        parts = name.split(".")  # model.layers.N.<module...>.weight
        n, module = parts[2], ".".join(parts[3:-1])
        new = "blk.%s.%s.%s" % (n, per_layer[module], parts[-1])
        if module == "self_attn.q_proj":
            yield new, permute_qk(np.asarray(arr), nh, nh), st_dtype, None
        elif module == "self_attn.k_proj":
            yield new, permute_qk(np.asarray(arr), nh, nkv), st_dtype, None
        else:
            yield new, arr, st_dtype, None


def mamba_tensors(cfg, st):
    names = {"backbone.embeddings.weight": "token_embd.weight",
             "backbone.norm_f.weight": "output_norm.weight",
             "lm_head.weight": "output.weight"}
    per_layer = {"norm": "attn_norm", "mixer.in_proj": "ssm_in",
                 "mixer.conv1d": "ssm_conv1d", "mixer.x_proj": "ssm_x",
                 "mixer.dt_proj": "ssm_dt", "mixer.out_proj": "ssm_out"}
    for name, (arr, st_dtype) in st.items():
        if name in names:
            yield names[name], arr, st_dtype, None
            continue
        parts = name.split(".")  # backbone.layers.N.<module...>.<param>
        n, param = parts[2], parts[-1]
        if param == "A_log":  # llama.cpp takes A = -exp(A_log), in F32
            yield ("blk.%s.ssm_a" % n, -np.exp(as_f32(arr, st_dtype)),
                   "F32", "F32")
        elif param == "D":
            yield "blk.%s.ssm_d" % n, arr, st_dtype, "F32"
        else:
            module = ".".join(parts[3:-1])
            new = "blk.%s.%s.%s" % (n, per_layer[module], param)
            if module == "mixer.conv1d" and param == "weight":
                # [I, 1, K] -> [I, K], F32 like convert_hf_to_gguf.py.
                w = np.asarray(arr)
                yield new, w.reshape(w.shape[0], -1), st_dtype, "F32"
            else:
                yield new, arr, st_dtype, None


def add_placeholder_vocab(writer, gguf, vocab):
    """A SentencePiece-style vocabulary of `vocab` entries (unk, bos, eos,
    the 256 byte tokens, then fillers) so llama.cpp loads the model; the
    benchmark feeds token ids, never text."""
    tokens, types = ["<unk>", "<s>", "</s>"], [
        gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL,
        gguf.TokenType.CONTROL]
    for b in range(256):
        tokens.append("<0x%02X>" % b)
        types.append(gguf.TokenType.BYTE)
    while len(tokens) < vocab:
        tokens.append("\u2581t%d" % len(tokens))
        types.append(gguf.TokenType.NORMAL)
    tokens, types = tokens[:vocab], types[:vocab]
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores([0.0] * len(tokens))
    writer.add_token_types(types)
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)


def convert_gguf(model_dir, out_path):
    """Writes the GGUF of the checkpoint in `model_dir`: llama.cpp's tensor
    names and layouts, the checkpoint's dtype."""
    import gguf
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    st = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    dtypes = {d for _, d in st.values()}
    bf16 = dtypes == {"BF16"}
    if not bf16 and dtypes != {"F32"}:
        raise ValueError("checkpoint dtypes %s: F32 or BF16 only" % dtypes)
    arch = cfg["model_type"]
    tmp = out_path + ".tmp"
    writer = gguf.GGUFWriter(tmp, arch)
    writer.add_name(os.path.basename(model_dir.rstrip("/")))
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_BF16 if bf16 else
                         gguf.LlamaFileType.ALL_F32)
    h = cfg["hidden_size"]
    writer.add_embedding_length(h)
    writer.add_block_count(cfg["num_hidden_layers"])
    if arch == "llama":
        nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
        writer.add_context_length(cfg["max_position_embeddings"])
        writer.add_feed_forward_length(cfg["intermediate_size"])
        writer.add_head_count(nh)
        writer.add_head_count_kv(nkv)
        writer.add_rope_dimension_count(h // nh)
        writer.add_rope_freq_base(cfg["rope_theta"])
        writer.add_layer_norm_rms_eps(cfg["rms_norm_eps"])
        writer.add_vocab_size(cfg["vocab_size"])
        tensors = llama_tensors(cfg, st)
    elif arch == "mamba":
        inner = cfg.get("intermediate_size") or cfg["expand"] * h
        rank = cfg["time_step_rank"]
        if rank == "auto":
            rank = math.ceil(h / 16)
        writer.add_context_length(2 ** 20)  # no limit
        writer.add_feed_forward_length(0)
        writer.add_head_count(0)
        writer.add_ssm_conv_kernel(cfg["conv_kernel"])
        writer.add_ssm_inner_size(inner)
        writer.add_ssm_state_size(cfg["state_size"])
        writer.add_ssm_time_step_rank(rank)
        writer.add_layer_norm_rms_eps(cfg["layer_norm_epsilon"])
        writer.add_vocab_size(cfg["vocab_size"])
        tensors = mamba_tensors(cfg, st)
    else:
        raise ValueError("model_type %s has no GGUF mapping here" % arch)
    add_placeholder_vocab(writer, gguf, cfg["vocab_size"])
    for name, arr, st_dtype, force in tensors:
        # 1-D tensors (norms, biases, D) stay F32, as convert_hf_to_gguf.py
        # writes them.
        if force == "F32" or np.ndim(arr) <= 1:
            writer.add_tensor(name, np.ascontiguousarray(
                as_f32(arr, st_dtype)))
        elif st_dtype == "BF16":
            writer.add_tensor(name, np.ascontiguousarray(arr),
                              raw_dtype=gguf.GGMLQuantizationType.BF16)
        else:
            writer.add_tensor(name, np.ascontiguousarray(arr))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(tmp, out_path)


def ensure_gguf(model_dir):
    """The GGUF beside the checkpoint, written again when the safetensors
    are newer."""
    path = os.path.join(model_dir, "model.gguf")
    st = os.path.join(model_dir, "model.safetensors")
    if os.path.exists(path) and os.path.getmtime(path) >= os.path.getmtime(st):
        return path, 0.0
    t0 = now()
    convert_gguf(model_dir, path)
    return path, now() - t0


# ---------------------------------------------------------------------------
# llama.cpp
# ---------------------------------------------------------------------------

def llamacpp_fn(lib, *names):
    for name in names:
        fn = getattr(lib, name, None)
        if fn is not None:
            return fn
    raise AttributeError("llama_cpp has none of " + ", ".join(names))


class LlamaCpp:
    """A llama.cpp model and one context at a time (one per phase, with as
    many sequence slots as the phase has sequences, as llama-bench does)."""

    def __init__(self, gguf_path, threads):
        import llama_cpp as L
        self.L = L
        self.threads = threads
        # Silence llama.cpp's logging (it writes to stderr otherwise).
        self._log = L.llama_log_callback(lambda level, text, user: None)
        L.llama_log_set(self._log, ctypes.c_void_p())
        L.llama_backend_init()
        mparams = L.llama_model_default_params()
        load = llamacpp_fn(L, "llama_model_load_from_file",
                           "llama_load_model_from_file")
        self.model = load(gguf_path.encode(), mparams)
        if not self.model:
            raise RuntimeError("llama.cpp could not load " + gguf_path)
        if hasattr(L, "llama_model_get_vocab"):
            self.vocab = L.llama_vocab_n_tokens(
                L.llama_model_get_vocab(self.model))
        else:
            self.vocab = L.llama_n_vocab(self.model)
        self.ctx = None
        self.batch = None

    def context(self, n_ctx_per_seq, n_batch, n_seq):
        """A fresh context for `n_seq` sequences of up to `n_ctx_per_seq`
        tokens, taking up to `n_batch` tokens per llama_decode."""
        L = self.L
        self.close_context()
        cparams = L.llama_context_default_params()
        cparams.n_ctx = (n_ctx_per_seq + 255) // 256 * 256 * n_seq
        cparams.n_batch = n_batch
        cparams.n_ubatch = n_batch
        cparams.n_seq_max = n_seq
        cparams.n_threads = self.threads
        cparams.n_threads_batch = self.threads
        init = llamacpp_fn(L, "llama_init_from_model",
                           "llama_new_context_with_model")
        self.ctx = init(self.model, cparams)
        if not self.ctx:
            raise RuntimeError("llama.cpp could not create a context")
        self.batch = L.llama_batch_init(n_batch, 0, n_seq)

    def close_context(self):
        if self.ctx:
            self.L.llama_batch_free(self.batch)
            self.L.llama_free(self.ctx)
            self.ctx = None

    def decode(self, entries):
        """entries: (token, pos, seq, want_logits); returns the logits rows
        of the entries that want them, in order."""
        b = self.batch
        b.n_tokens = len(entries)
        for i, (tok, pos, seq, want) in enumerate(entries):
            b.token[i] = tok
            b.pos[i] = pos
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = seq
            b.logits[i] = 1 if want else 0
        rc = self.L.llama_decode(self.ctx, b)
        if rc != 0:
            raise RuntimeError("llama_decode returned %d" % rc)
        rows = []
        for i, (_, _, _, want) in enumerate(entries):
            if want:
                ptr = self.L.llama_get_logits_ith(self.ctx, i)
                rows.append(np.ctypeslib.as_array(ptr, shape=(self.vocab,)))
        return rows


def gguf_version():
    try:
        from importlib.metadata import version
        return version("gguf")
    except Exception:  # metadata missing: the version is only informative
        return "?"


def run_llamacpp(args, batches):
    try:
        import llama_cpp
        import gguf  # noqa: F401
    except ImportError as e:
        emit(kind="unavailable", message=str(e))
        return 0
    gguf_path, seconds = ensure_gguf(args.model_dir)
    lc = LlamaCpp(gguf_path, args.threads)
    emit(kind="peer", name="llama.cpp",
         version="llama-cpp-python " + llama_cpp.__version__,
         detail="GGUF written by gguf %s" % gguf_version(),
         threads=args.threads, gguf=gguf_path, gguf_seconds=seconds)
    ctx = args.decode_prompt_tokens

    def prefill_seqs(prompts):
        entries = []
        for s, prompt in enumerate(prompts):
            entries += [(t, p, s, p == len(prompt) - 1)
                        for p, t in enumerate(prompt)]
        return lc.decode(entries)

    def decode_run(batch, steps, seed):
        lc.context(ctx + steps + 1, max(ctx * batch, batch), batch)
        prompts = [random_tokens(ctx, lc.vocab, seed + 7919 * b)
                   for b in range(batch)]
        rows = prefill_seqs(prompts)
        t0 = now()
        for step in range(steps):
            nxt = [int(np.argmax(r)) for r in rows]
            rows = lc.decode([(nxt[s], ctx + step, s, True)
                              for s in range(batch)])
        return now() - t0

    def prefill():
        lc.context(args.prompt_tokens, args.prompt_tokens, 1)
        prompt = random_tokens(args.prompt_tokens, lc.vocab, 1)
        t0 = now()
        prefill_seqs([prompt])
        return now() - t0

    decode_run(1, 1, 99)  # warm-up
    time_phases(args, batches, prefill, decode_run)
    lc.close_context()
    return 0


# ---------------------------------------------------------------------------
# transformers
# ---------------------------------------------------------------------------

def run_transformers(args, batches):
    try:
        import torch
        import transformers
    except ImportError as e:
        emit(kind="unavailable", message=str(e))
        return 0
    import inspect
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.model_dir, "config.json")) as f:
        cfg = json.load(f)
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[
        cfg.get("torch_dtype", "float32")]
    model = transformers.AutoModelForCausalLM.from_pretrained(
        args.model_dir, dtype=dtype)
    model.eval()
    vocab = cfg["vocab_size"]
    emit(kind="peer", name="transformers",
         version="transformers " + transformers.__version__,
         detail="torch " + torch.__version__,
         threads=torch.get_num_threads(), model_class=type(model).__name__,
         dtype=str(dtype))
    takes_keep = "logits_to_keep" in inspect.signature(
        model.forward).parameters
    pad = cfg.get("pad_token_id")
    if pad is None:
        pad = cfg.get("eos_token_id", 0)
        if isinstance(pad, list):
            pad = pad[0]

    class StepClock(transformers.LogitsProcessor):
        """Records the time of each generated token: generate() calls the
        logits processors once per forward, right after it."""

        def __init__(self):
            self.times = []

        def __call__(self, input_ids, scores):
            self.times.append(now())
            return scores

    def generate(batch, steps, seed):
        """Seconds of the `steps` decode forwards after the prompt's (the
        time from the first token's logits to the last's)."""
        ids = torch.tensor([random_tokens(args.decode_prompt_tokens, vocab,
                                          seed + 7919 * b)
                            for b in range(batch)])
        clock = StepClock()
        model.generate(ids, attention_mask=torch.ones_like(ids),
                       do_sample=False, min_new_tokens=1 + steps,
                       max_new_tokens=1 + steps, pad_token_id=pad,
                       logits_processor=transformers.LogitsProcessorList(
                           [clock]))
        if len(clock.times) != 1 + steps:
            raise RuntimeError("generate produced %d tokens, not %d" % (
                len(clock.times), 1 + steps))
        return clock.times[-1] - clock.times[0]

    def prefill():
        ids = torch.tensor([random_tokens(args.prompt_tokens, vocab, 1)])
        kwargs = {"logits_to_keep": 1} if takes_keep else {}
        t0 = now()
        model(input_ids=ids, use_cache=True, **kwargs)
        return now() - t0

    with torch.inference_mode():
        generate(1, 1, 99)  # warm-up
        time_phases(args, batches, prefill, generate)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer", choices=["llamacpp", "transformers"],
                        required=True)
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--decode-tokens", type=int, default=128)
    parser.add_argument("--decode-prompt-tokens", type=int, default=16)
    parser.add_argument("--batch", default="1,8")
    parser.add_argument("--convert-only", action="store_true",
                        help="write the GGUF and exit")
    args = parser.parse_args()
    batches = [int(b) for b in args.batch.split(",")]
    if args.convert_only:
        print(ensure_gguf(args.model_dir)[0])
        return 0
    run = run_llamacpp if args.peer == "llamacpp" else run_transformers
    try:
        return run(args, batches)
    except Exception as e:  # one error line, never a traceback alone
        emit(kind="error", phase=args.peer,
             message="%s: %s" % (type(e).__name__, e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
