#!/usr/bin/env python3
#===- check_against_transformers.py - reference.py vs HF transformers ----===#
#
# Part of the Tokamak project. Not part of the test suite: a one-off
# validation, run where `transformers` is importable (a scratch venv):
#
#   python3 -m venv --system-site-packages /tmp/hfvenv
#   /tmp/hfvenv/bin/pip install transformers==4.49.0   # newest that imports on torch 1.13
#   /tmp/hfvenv/bin/python check_against_transformers.py [--presets=a,b] [--new-tokens=N]
#
# For every case (a preset, a dtype, a shard count) it writes the checkpoint
# with make_checkpoint.py into a temporary directory and checks:
#   config   AutoConfig.from_pretrained(dir).to_json_string(use_diff=True)
#            equals config.json (transformers_version aside);
#   weights  the safetensors package reads every tensor bit-identically to
#            reference.py's own reader, and from_pretrained reports no
#            missing, unexpected or mismatched keys;
#   hidden   reference.py's h.npy against the HF base model's
#            last_hidden_state over the prompt (float64 model);
#   logits   reference.py's l.npy against HF logits over prompt + the
#            reference's tokens (teacher-forced, one forward);
#   generate HF's own cached greedy generate(): tokens equal the
#            reference's, scores against l.npy (not for gemma2, whose
#            HybridCache decoding is wrong in transformers 4.49).
# Errors are max|a - b| / max|b| (compare.py's measure). HF's float64 run
# still does RMSNorm, softmax and RoPE cos/sin in float32, so ~1e-6 is the
# expected agreement; a semantic difference shows as >= 1e-3.
#
# transformers 4.49 needs three patches (applied here, each a backport of
# what later transformers does):
#   * Mamba2 torch_forward tiles B/C over heads with .repeat (head h reads
#     group h % G) in its chunked path; later versions use
#     .repeat_interleave (group h // (H/G)), as mamba_ssm and its own cached
#     decode path do.
#   * Qwen2's eager mask applies sliding_window to every layer; later
#     versions apply it to layers >= max_window_layers only (layer_types).
#   * MambaRMSNormGated normalises over the whole intermediate size. That is
#     still so in transformers today, while mamba_ssm (what Mamba-2
#     checkpoints were trained with) normalises per group. Both are checked:
#     reference --mamba2-norm=full against HF as is, and the default
#     (group) against HF with a group-wise norm.
#
#===----------------------------------------------------------------------===#
import argparse
import inspect
import json
import os
import sys
import tempfile
import textwrap

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_checkpoint  # noqa: E402
import reference  # noqa: E402

import transformers  # noqa: E402
from transformers import AutoConfig, AutoModel, AutoModelForCausalLM  # noqa: E402

PROMPT = [1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41, 45]

# (preset, dtype, shards, variant)
CASES = [
    ("llama", "f32", 1, None), ("llama", "bf16", 3, None),
    ("llama-tied", "f32", 1, None), ("llama-bias", "f32", 1, None),
    ("llama3-rope", "f32", 1, None), ("llama-linear-rope", "f32", 1, None),
    ("mistral", "f32", 1, None), ("qwen2", "f32", 1, None),
    ("qwen2", "f16", 2, None), ("qwen2-swa", "f32", 1, None),
    ("gemma2", "f32", 1, None), ("gemma2", "bf16", 1, None),
    ("mamba", "f32", 1, None), ("mamba", "bf16", 1, None),
    ("mamba2", "f32", 1, None), ("mamba2-groups", "f32", 1, "group"),
    ("mamba2-groups", "f32", 1, "full"), ("mamba2-groups", "bf16", 1, "group"),
    ("jamba", "f32", 1, None), ("bert", "f32", 1, None),
]

# ---------------------------------------------------------------------------
# Patches for transformers 4.49 (see the header)
# ---------------------------------------------------------------------------


def patch_mamba2_repeat():
    from transformers.models.mamba2 import modeling_mamba2 as m
    src = textwrap.dedent(inspect.getsource(m.Mamba2Mixer.torch_forward))
    bad = "B.repeat(1, 1, self.num_heads // self.n_groups, 1)"
    if bad not in src:
        return False
    src = src.replace(bad, "B.repeat_interleave(self.num_heads // self.n_groups, dim=2)")
    src = src.replace("C.repeat(1, 1, self.num_heads // self.n_groups, 1)",
                      "C.repeat_interleave(self.num_heads // self.n_groups, dim=2)")
    ns = {}
    exec(compile(src, m.__file__, "exec"), m.__dict__, ns)
    m.Mamba2Mixer.torch_forward = ns["torch_forward"]
    return True


_orig_gated_forward = None


def set_mamba2_group_norm(model, on):
    from transformers.models.mamba2 import modeling_mamba2 as m
    global _orig_gated_forward
    if _orig_gated_forward is None:
        _orig_gated_forward = m.MambaRMSNormGated.forward

    def grouped(self, hidden_states, gate=None):
        g = getattr(self, "_n_groups", 1)
        if g == 1:
            return _orig_gated_forward(self, hidden_states, gate)
        dtype = hidden_states.dtype
        h = hidden_states.to(torch.float32)
        if gate is not None:
            h = h * torch.nn.functional.silu(gate.to(torch.float32))
        shp = h.shape
        h = h.view(*shp[:-1], g, shp[-1] // g)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.variance_epsilon)
        return self.weight * h.view(shp).to(dtype)

    m.MambaRMSNormGated.forward = grouped
    for mod in model.modules():
        if isinstance(mod, m.Mamba2Mixer):
            mod.norm._n_groups = mod.n_groups if on else 1


def patch_qwen2_layer_windows():
    from transformers.models.qwen2 import modeling_qwen2 as m
    orig = m.eager_attention_forward
    if getattr(orig, "_tokamak_patched", False):
        return

    def eager(module, query, key, value, attention_mask, scaling, dropout=0.0,
              sliding_window=None, **kw):
        lq, lk = query.shape[2], key.shape[2]
        i = torch.arange(lq)[:, None] + (lk - lq)
        j = torch.arange(lk)[None, :]
        vis = j <= i
        if sliding_window is not None:
            vis &= j > i - sliding_window
        mask = torch.zeros(lq, lk, dtype=query.dtype)
        mask = mask.masked_fill(~vis, torch.finfo(query.dtype).min)[None, None]
        return orig(module, query, key, value, mask, scaling=scaling,
                    dropout=dropout, **kw)

    eager._tokamak_patched = True
    m.eager_attention_forward = eager

# ---------------------------------------------------------------------------


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        return float("inf")
    s = np.abs(b).max()
    return float(np.abs(a - b).max() / s) if s > 0 else float(np.abs(a - b).max())


def check_config(d):
    with open(os.path.join(d, "config.json")) as f:
        mine = json.load(f)
    hf = json.loads(AutoConfig.from_pretrained(d).to_json_string(use_diff=True))
    for c in (mine, hf):
        c.pop("transformers_version", None)
        c.pop("_name_or_path", None)  # added by from_pretrained
    rs, hrs = mine.get("rope_scaling"), hf.get("rope_scaling")
    if rs and hrs and "type" in rs and "rope_type" not in rs:
        hrs.pop("rope_type", None)  # HF copies the legacy "type" on load
    diffs = []
    for k in sorted(set(mine) | set(hf)):
        if mine.get(k, "<absent>") != hf.get(k, "<absent>"):
            diffs.append(f"{k}: file {mine.get(k, '<absent>')!r} HF {hf.get(k, '<absent>')!r}")
    return diffs


def check_weights(d):
    from safetensors import safe_open
    files = [f for f in os.listdir(d) if f.endswith(".safetensors")]
    bad = []
    for fn in files:
        mine, _ = reference.read_safetensors(os.path.join(d, fn))
        with safe_open(os.path.join(d, fn), framework="pt") as f:
            keys = list(f.keys())
            if sorted(keys) != sorted(mine):
                bad.append(f"{fn}: names differ")
            for k in keys:
                t = f.get_tensor(k).to(torch.float64).numpy()
                if t.shape != mine[k].shape or not np.array_equal(t, mine[k]):
                    bad.append(f"{fn}:{k}")
    return bad


def run_case(preset, dtype, shards, variant, n_new, tmp):
    d = os.path.join(tmp, f"{preset}-{dtype}-{shards}")
    cfg = make_checkpoint.make(preset, d, seed=0, dtype=dtype, shards=shards)
    mt = cfg["model_type"]
    res = {"case": f"{preset} {dtype}" + (f" shards={shards}" if shards > 1 else "")
           + (f" norm={variant}" if variant else "")}
    res["config_diffs"] = check_config(d)
    res["weight_mismatches"] = check_weights(d)

    opts = {}
    if variant:
        opts["mamba2_norm"] = variant
    if dtype != "f32":  # HF's float64 run scales Gemma2 embeddings by an f64 sqrt
        opts["gemma_normalizer"] = "f64"
    model_ref = reference.build(d, opts)
    n = 0 if mt == "bert" else n_new
    ref_logits, ref_toks, ref_hidden, margins = reference.run(model_ref, PROMPT, n)

    cls = AutoModel if mt == "bert" else AutoModelForCausalLM
    model, info = cls.from_pretrained(d, torch_dtype=torch.float64,
                                      attn_implementation="eager",
                                      output_loading_info=True)
    model.eval()
    res["loading"] = {k: v for k, v in info.items() if v and k != "error_msgs"} or "ok"
    if mt == "mamba2":
        set_mamba2_group_norm(model, variant == "group")

    ids = torch.tensor([PROMPT])
    with torch.no_grad():
        kw = {} if mt in ("mamba", "mamba2") else {"attention_mask": torch.ones_like(ids)}
        if mt == "bert":
            hf_hidden = model(input_ids=ids, **kw).last_hidden_state[0].numpy()
        else:
            base = model.base_model
            hf_hidden = base(input_ids=ids, use_cache=False, **kw).last_hidden_state[0].numpy()
        res["hidden_rel"] = rel(hf_hidden, ref_hidden)
        if mt == "bert":
            return res
        seq = torch.tensor([PROMPT + ref_toks[:-1].tolist()])
        kw = {} if mt in ("mamba", "mamba2") else {"attention_mask": torch.ones_like(seq)}
        out = model(input_ids=seq, use_cache=False, **kw).logits[0].numpy()
        res["logits_rel"] = rel(out[len(PROMPT) - 1:], ref_logits)
        res["min_margin"] = min(margins)
        if mt == "gemma2":
            # transformers 4.49's HybridCache decodes wrongly once the
            # sequence outgrows the sliding window and on the last step of
            # every generate() (transformers#37574, #37706; seen here too).
            # The teacher-forced logits above cover every row.
            res["generate_note"] = "skipped: HF 4.49 HybridCache bugs (#37574, #37706)"
            return res
        gen = model.generate(ids, attention_mask=torch.ones_like(ids),
                             max_new_tokens=n, do_sample=False, eos_token_id=None,
                             pad_token_id=0, output_scores=True,
                             return_dict_in_generate=True, use_cache=True)
        toks = gen.sequences[0, len(PROMPT):].numpy()
        res["generate_tokens_equal"] = bool(np.array_equal(toks, ref_toks))
        scores = torch.stack(gen.scores, 0)[:, 0].numpy()
        k = len(toks) if res["generate_tokens_equal"] else \
            int(np.argmax(toks != ref_toks)) + 1  # rows up to the first divergence
        res["generate_scores_rel"] = rel(scores[:k], ref_logits[:k])
    return res


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--presets", help="comma-separated subset")
    p.add_argument("--new-tokens", type=int, default=16)
    p.add_argument("--json", help="write the results here")
    a = p.parse_args()
    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    # generate() asks whether the model is FSDP-managed, which imports
    # torch.distributed.fsdp; Debian's torch 1.13 cannot import that on
    # Python 3.11 (a dataclass with a mutable default). Nothing is sharded.
    import transformers.generation.utils as gen_utils
    if hasattr(gen_utils, "is_fsdp_managed_module"):
        gen_utils.is_fsdp_managed_module = lambda module: False
    # Gemma2's HybridCache marks its tensors for torch.compile through
    # torch._dynamo, which torch 1.13 lacks; the mark is only a hint.
    if not hasattr(torch, "_dynamo"):
        import types
        torch._dynamo = types.SimpleNamespace(mark_static_address=lambda t: None)
    print(f"torch {torch.__version__}, transformers {transformers.__version__}")
    patched = patch_mamba2_repeat()
    print(f"patch mamba2 repeat->repeat_interleave: {'applied' if patched else 'not needed'}")
    patch_qwen2_layer_windows()
    cases = CASES
    if a.presets:
        want = set(a.presets.split(","))
        cases = [c for c in CASES if c[0] in want]
    results, worst = [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for preset, dtype, shards, variant in cases:
            r = run_case(preset, dtype, shards, variant, a.new_tokens, tmp)
            results.append(r)
            errs = [r.get(k, 0.0) for k in ("hidden_rel", "logits_rel", "generate_scores_rel")]
            worst = max([worst] + errs)
            line = (f"{r['case']:34s} hidden {r['hidden_rel']:.2e}")
            if "logits_rel" in r:
                line += f"  logits {r['logits_rel']:.2e}  margin {r['min_margin']:.3g}"
            if "generate_scores_rel" in r:
                line += (f"  generate "
                         f"{'tokens ==' if r['generate_tokens_equal'] else 'tokens DIFFER'}"
                         f" scores {r['generate_scores_rel']:.2e}")
            print(line)
            if r.get("generate_note"):
                print(f"    generate: {r['generate_note']}")
            for key in ("config_diffs", "weight_mismatches"):
                if r[key]:
                    print(f"    {key}: {r[key]}")
            if r["loading"] != "ok":
                print(f"    loading: {r['loading']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)
    ok = worst < 1e-4 and all(r.get("generate_tokens_equal", True) for r in results) \
        and all(not r["weight_mismatches"] and not r["config_diffs"]
                and r["loading"] == "ok" for r in results)
    print(f"worst relative error {worst:.2e}: {'OK' if ok else 'FAILED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
