"""The model rows of the benchmarks (bench/README.md, "The model rows").

Two model configs at real shapes with random weights, each in F32 and BF16:

- `tinyllama`: the llama architecture at TinyLlama-1.1B's shapes (hidden
  2048, intermediate 5632, 22 layers, 32 heads, 4 KV heads, vocab 32000,
  rope_theta 10000, rms eps 1e-5, untied head);
- `mamba-130m`: Mamba-1 at Mamba-130m's shapes (d_model 768, 24 layers,
  state 16, expand 2, conv 4, vocab 50280, head tied to the embedding);

and `--quick` variants of the same structure at tiny widths. The
checkpoints are written by test/Integration/Models/make_checkpoint.py (fixed
seed, 1/sqrt(fan_in)-scaled linear weights: ~0.02 at width 2048) into
`<models-dir>/[quick-]<name>-<dtype>`, with a stamp file holding the config,
so they are made again only when the config changes.

Per model and dtype, run_models() runs, each in its own process under
--model-timeout:

1. tokamak-bench-model (bench/models/tokamak-bench-model.cpp): compile
   through tokamak-run's compile cache, prefill, decode at batch 1 and 8;
2. the peers, bench/model_peers.py under .venv-peers/bin/python (`make
   peers`): llama.cpp (llama-cpp-python, on a GGUF converted from the same
   safetensors) and Hugging Face transformers on PyTorch 2.x;
3. the compile time from the cache (a second tokamak-bench-model
   --compile-only) and, when the first run hit the cache and this is not a
   --quick run, the cold compile time (--no-cache).

Standard library only; run.py imports it and passes its process helpers.
"""

import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CHECKPOINT_SCRIPT = os.path.join(ROOT, "test", "Integration", "Models",
                                 "make_checkpoint.py")
CHECKPOINT_PYTHON = "/usr/bin/python3"
PEERS_PYTHON = os.path.join(ROOT, ".venv-peers", "bin", "python")
PEERS_SCRIPT = os.path.join(HERE, "model_peers.py")
SEED = 0
STAMP = ".tokamak-bench-stamp"
PEERS = (("llamacpp", "llama.cpp"), ("transformers", "transformers"))
NO_PEERS_TEXT = "n/a (make peers)"


class Model:
    """One benchmark model: a make_checkpoint.py preset and the config
    fields set on top of it, full size and --quick."""

    def __init__(self, name, label, preset, full, quick):
        self.name, self.label, self.preset = name, label, preset
        self.full, self.quick = full, quick

    def config(self, quick):
        return self.quick if quick else self.full

    def layers(self, quick):
        return self.config(quick)["num_hidden_layers"]


MODELS = [
    Model("tinyllama", "llama at TinyLlama-1.1B's shapes", "llama",
          full=dict(vocab_size=32000, hidden_size=2048,
                    intermediate_size=5632, num_hidden_layers=22,
                    num_attention_heads=32, num_key_value_heads=4,
                    rope_theta=10000.0, rms_norm_eps=1e-5,
                    max_position_embeddings=2048, tie_word_embeddings=False),
          quick=dict(vocab_size=512, hidden_size=64, intermediate_size=176,
                     num_hidden_layers=2, num_attention_heads=4,
                     num_key_value_heads=2, rope_theta=10000.0,
                     rms_norm_eps=1e-5, max_position_embeddings=2048,
                     tie_word_embeddings=False)),
    Model("mamba-130m", "Mamba-1 at Mamba-130m's shapes", "mamba",
          full=dict(vocab_size=50280, hidden_size=768, num_hidden_layers=24,
                    state_size=16, expand=2, conv_kernel=4),
          quick=dict(vocab_size=512, hidden_size=64, num_hidden_layers=2,
                     state_size=16, expand=2, conv_kernel=4)),
]
DTYPES = ("f32", "bf16")


def phase_sizes(quick):
    """(prompt tokens, decode steps, decode prompt tokens, batches)."""
    return (64, 16, 16, (1, 8)) if quick else (512, 128, 16, (1, 8))


def selected_models(pattern, quick):
    """(model, dtype) pairs whose `<name>-<dtype>` matches `pattern`."""
    return [(m, dt) for m in MODELS for dt in DTYPES
            if pattern.search("%s-%s" % (m.name, dt))]


def log(message):
    sys.stderr.write("[bench] %s\n" % message)
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------

def checkpoint_dir(models_dir, model, dtype, quick):
    return os.path.join(models_dir, "%s%s-%s" % (
        "quick-" if quick else "", model.name, dtype))


def estimate_bytes(model, dtype, quick):
    """Rough size of the checkpoint (the linear weights and embeddings)."""
    c = model.config(quick)
    h, v, n = c["hidden_size"], c["vocab_size"], c["num_hidden_layers"]
    if model.preset == "llama":
        kv = h // c["num_attention_heads"] * c["num_key_value_heads"]
        per_layer = 2 * h * h + 2 * h * kv + 3 * h * c["intermediate_size"]
        params = n * per_layer + 2 * v * h
    else:
        inner = c["expand"] * h
        per_layer = 3 * h * inner + inner * (h // 16 + 2 * c["state_size"])
        params = n * per_layer + v * h
    return params * (4 if dtype == "f32" else 2)


def ensure_checkpoint(models_dir, model, dtype, quick):
    """Writes the checkpoint unless its stamp matches; returns (dir, error)."""
    out = checkpoint_dir(models_dir, model, dtype, quick)
    stamp = json.dumps({"preset": model.preset, "set": model.config(quick),
                        "dtype": dtype, "seed": SEED}, sort_keys=True)
    stamp_path = os.path.join(out, STAMP)
    if os.path.exists(stamp_path):
        with open(stamp_path) as f:
            if f.read() == stamp:
                return out, None
    os.makedirs(out, exist_ok=True)
    # Twice the checkpoint: the safetensors and the peers' GGUF copy.
    need = 2 * estimate_bytes(model, dtype, quick) + (1 << 30)
    free = shutil.disk_usage(out).free
    if free < need:
        return out, "needs %.1f GB free disk for the checkpoint, have %.1f" % (
            need / 1e9, free / 1e9)
    for f in os.listdir(out):  # stale stamp and GGUF copies
        if f == STAMP or f.endswith(".gguf") or f.endswith(".gguf.stamp"):
            os.remove(os.path.join(out, f))
    cmd = [CHECKPOINT_PYTHON, CHECKPOINT_SCRIPT, "--preset=" + model.preset,
           "--out=" + out, "--seed=%d" % SEED, "--dtype=" + dtype]
    for key, value in sorted(model.config(quick).items()):
        cmd += ["--set", "%s=%s" % (key, json.dumps(value))]
    log("writing the %s %s checkpoint (%.2f GB) to %s" % (
        model.name, dtype, estimate_bytes(model, dtype, quick) / 1e9, out))
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return out, "make_checkpoint.py failed: %s" % (
            proc.stderr.strip().splitlines() or ["no message"])[-1]
    with open(stamp_path, "w") as f:
        f.write(stamp)
    log("wrote it in %.1f s" % (time.time() - t0))
    return out, None


# ---------------------------------------------------------------------------
# Running the sides
# ---------------------------------------------------------------------------

def collect(events, code, stderr, timeout, first_line):
    """Results, errors and info of one benchmark process."""
    out = {"results": {}, "errors": []}
    for e in events:
        kind = e.get("kind")
        if kind == "result":
            key = "prefill" if e["phase"] == "prefill" else "decode b%d" % (
                e["batch"])
            out["results"][key] = e
        elif kind == "error":
            out["errors"].append("%s: %s" % (e.get("phase", "?"),
                                             e.get("message", "")))
        elif kind in ("compiled", "model", "peer", "warmup", "unavailable"):
            out[kind] = e
    if code is None:
        out["errors"].append("did not finish within --model-timeout=%g s" %
                             timeout)
        out["timeout"] = True
    elif code != 0 and not out["errors"] and "unavailable" not in out:
        out["errors"].append("exited with %s: %s" % (
            code, first_line(stderr) or "no message"))
    return out


def run_side(cmd, args, env, helpers):
    """Runs one side (tokamak-bench-model or a peer) with the phase sizes
    appended to `cmd`, collecting its JSON events."""
    prompt, steps, ctx, batches = phase_sizes(args.quick)
    cmd = cmd + ["--threads=%d" % args.threads,
                 "--prompt-tokens=%d" % prompt, "--decode-tokens=%d" % steps,
                 "--decode-prompt-tokens=%d" % ctx,
                 "--batch=" + ",".join(str(b) for b in batches)]
    try:
        events, code, stderr = helpers.run_streaming(cmd, env,
                                                     args.model_timeout)
    except OSError as e:
        return {"results": {}, "errors": ["launch: %s" % e]}
    return collect(events, code, stderr, args.model_timeout,
                   helpers.first_line)


def run_tokamak(model_dir, args, env, helpers, extra):
    exe = os.path.join(args.build_dir, "bin", "tokamak-bench-model")
    return run_side([exe, model_dir] + extra, args, env, helpers)


def run_peer(peer, model_dir, args, env, helpers):
    if not os.path.exists(PEERS_PYTHON):
        return {"results": {}, "errors": [], "unavailable": {
            "message": ".venv-peers is missing"}}
    return run_side([PEERS_PYTHON, PEERS_SCRIPT, "--peer=" + peer,
                     "--model-dir=" + model_dir], args, env, helpers)


def compile_seconds(side):
    c = side.get("compiled")
    return (c["compile_seconds"], c["cache_hit"]) if c else (None, None)


def bench_model(model, dtype, args, env, helpers):
    """Every side of one model and dtype; a dict for the JSON."""
    prompt, steps, ctx, batches = phase_sizes(args.quick)
    entry = {"model": model.name, "label": model.label, "dtype": dtype,
             "layers": model.layers(args.quick),
             "config": model.config(args.quick), "quick": args.quick}
    model_dir, error = ensure_checkpoint(args.models_dir, model, dtype,
                                         args.quick)
    entry["dir"] = model_dir
    if error:
        entry["error"] = error
        return entry
    cache = ["--cache-dir=" + os.path.join(args.models_dir, "cache")]

    log("tokamak %s %s" % (model.name, dtype))
    t0 = time.time()
    tok = run_tokamak(model_dir, args, env, helpers, cache)
    entry["tokamak"] = tok
    log("tokamak %s %s done (%.1f s)%s" % (
        model.name, dtype, time.time() - t0,
        "; " + "; ".join(tok["errors"]) if tok["errors"] else ""))

    # Compile times: the first run's, a cache hit and, when the first run
    # already hit, a cold compile (not in --quick runs).
    first, hit = compile_seconds(tok)
    compile_info = {"first_seconds": first, "first_cache_hit": hit}
    if first is not None and not hit:
        compile_info["cold_seconds"] = first
    if first is not None:
        again = run_tokamak(model_dir, args, env, helpers,
                            cache + ["--compile-only"])
        seconds, was_hit = compile_seconds(again)
        if was_hit:
            compile_info["cached_seconds"] = seconds
        if hit and not args.quick:
            log("compile %s %s without the cache" % (model.name, dtype))
            cold = run_tokamak(model_dir, args, env, helpers,
                               ["--no-cache", "--compile-only"])
            seconds, _ = compile_seconds(cold)
            if seconds is not None:
                compile_info["cold_seconds"] = seconds
    entry["compile"] = compile_info

    for peer, title in PEERS:
        if args.no_peers:
            continue
        log("%s %s %s" % (title, model.name, dtype))
        t0 = time.time()
        result = run_peer(peer, model_dir, args, env, helpers)
        entry[peer] = result
        log("%s %s %s done (%.1f s)%s" % (
            title, model.name, dtype, time.time() - t0,
            "; " + "; ".join(result["errors"]) if result["errors"] else
            " (unavailable: %s)" % result["unavailable"]["message"]
            if "unavailable" in result else ""))
    return entry


def run_models(selected, args, env, helpers):
    """Benchmarks every selected (model, dtype); returns the JSON entries."""
    return [bench_model(m, dt, args, env, helpers) for m, dt in selected]


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

def fmt_rate(x):
    if x is None:
        return "-"
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    return "%.2f" % x


def side_cell(side, key, enabled):
    """The tokens/s cell of one side, and its note."""
    if not enabled:
        return "-", None
    if side is None:
        return "-", None
    if "unavailable" in side:
        return NO_PEERS_TEXT, None
    result = side["results"].get(key)
    if result:
        note = None
        if result.get("nonfinite_logits"):
            note = "%d NaN/inf logits" % result["nonfinite_logits"]
        return fmt_rate(result["tokens_per_s"]), note
    if side.get("timeout"):
        return "timeout", side["errors"][-1]
    errors = [e for e in side["errors"] if e.startswith(key + ":")] or \
        side["errors"]
    return "error", errors[0] if errors else "no result"


def rows_of(entry, quick):
    """The table rows of one model entry, as dicts (also for the JSON)."""
    prompt, steps, ctx, batches = phase_sizes(quick)
    keys = [("prefill", "prefill %d" % prompt, 1)] + [
        ("decode b%d" % b, "decode b%d x%d" % (b, steps), b) for b in batches]
    rows = []
    for key, label, batch in keys:
        row = {"model": entry["model"], "dtype": entry["dtype"], "row": label,
               "phase": key.split()[0], "batch": batch}
        for side in ("tokamak",) + tuple(p for p, _ in PEERS):
            s = entry.get(side)
            r = s["results"].get(key) if s else None
            if r:
                row[side] = {k: r[k] for k in ("tokens", "seconds",
                                               "tokens_per_s") if k in r}
        rows.append(row)
    return rows


def pct(gbs, bw):
    return 100.0 * gbs / bw if gbs is not None and bw else None


def table(entries, peak, args):
    """The Markdown table of the model rows and the compile-time lines."""
    bw = peak.get("bandwidth_gbs")
    peers_on = not args.no_peers
    head = ["model", "dtype", "row", "tokamak tok/s", "llama.cpp tok/s",
            "transformers tok/s", "vs llama.cpp", "vs transformers",
            "tokamak GB/s", "% BW", "llama.cpp GB/s", "% BW",
            "transformers GB/s", "% BW", "note"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---" for _ in head) + "|"]
    all_rows = []
    for entry in entries:
        if "error" in entry:
            lines.append("| %s | %s | all | error | - | - | - | - | - | - | "
                         "- | - | - | - | %s |" % (
                             entry["model"], entry["dtype"],
                             entry["error"].replace("|", "/")))
            continue
        streamed = (entry["tokamak"].get("model") or {}).get("streamed_bytes")
        rows = rows_of(entry, args.quick)
        for row in rows:
            key = "prefill" if row["phase"] == "prefill" else \
                "decode b%d" % row["batch"]
            notes = []
            cells = {}
            for side, enabled in (("tokamak", True), ("llamacpp", peers_on),
                                  ("transformers", peers_on)):
                text, note = side_cell(entry.get(side), key, enabled)
                cells[side] = text
                if note:
                    notes.append("%s: %s" % (
                        dict(PEERS).get(side, side), note))
            tok_rate = (row.get("tokamak") or {}).get("tokens_per_s")
            ratios = []
            for peer, _ in PEERS:
                rate = (row.get(peer) or {}).get("tokens_per_s")
                ratios.append("%.2fx" % (tok_rate / rate)
                              if tok_rate and rate else "-")
            bws = []
            for side in ("tokamak", "llamacpp", "transformers"):
                r = row.get(side)
                if row["phase"] == "decode" and r and streamed:
                    steps = r["tokens"] / row["batch"]
                    gbs = streamed * steps / r["seconds"] / 1e9
                    r["gbs"] = gbs
                    r["pct_bw"] = pct(gbs, bw)
                    bws += ["%.1f" % gbs, "%.0f%%" % r["pct_bw"]
                            if r["pct_bw"] is not None else "-"]
                else:
                    bws += ["-", "-"]
            row["streamed_bytes"] = streamed
            cells_line = [entry["model"], entry["dtype"], row["row"],
                          cells["tokamak"], cells["llamacpp"],
                          cells["transformers"]] + ratios + bws + [
                              "; ".join(n.replace("|", "/") for n in notes)]
            lines.append("| " + " | ".join(c.strip() for c in cells_line) +
                         " |")
        all_rows += rows
    return "\n".join(lines), all_rows


def compile_lines(entries):
    lines = []
    for e in entries:
        c = e.get("compile")
        if not c:
            continue
        parts = []
        if c.get("cold_seconds") is not None:
            parts.append("cold %.2f s" % c["cold_seconds"])
        if c.get("cached_seconds") is not None:
            parts.append("from the cache %.3f s" % c["cached_seconds"])
        lines.append("compile: %s %s (%d layers): %s" % (
            e["model"], e["dtype"], e["layers"],
            ", ".join(parts) or "no measurement"))
    return lines


def peer_lines(entries, args):
    if args.no_peers:
        return []
    seen = {}
    for e in entries:
        for peer, _ in PEERS:
            info = (e.get(peer) or {}).get("peer")
            if info and peer not in seen:
                seen[peer] = info
    lines = []
    if not os.path.exists(PEERS_PYTHON):
        lines.append("peers: %s missing: llama.cpp and transformers columns "
                     "are %s" % (os.path.relpath(PEERS_PYTHON, ROOT),
                                 NO_PEERS_TEXT))
    for peer, title in PEERS:
        if peer in seen:
            info = seen[peer]
            lines.append("peer: %s: %s (%s), %s threads, %s" % (
                title, info.get("version", "?"), info.get("detail", ""),
                info.get("threads", "?"), os.path.relpath(PEERS_PYTHON,
                                                          ROOT)))
    return lines
