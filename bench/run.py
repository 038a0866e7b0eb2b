#!/usr/bin/env python3
"""Runs the Tokamak benchmarks and prints one table.

    python3 bench/run.py [--build-dir=build] [--filter=REGEX] [--quick]
                         [--no-torch] [--no-iree] [--threads=N] [--timeout=S]
                         [--target-seconds=S] [--json-out=PATH]
                         [--no-models] [--no-peers] [--model-timeout=S]
                         [--models-dir=DIR]

1. tokamak-bench-peak: the machine's fp32 FMA peak (1 thread and N threads)
   and streaming bandwidth (copy, triad; N threads).
2. tokamak-bench: each case of cases.py (bench/kernels/<case>.mlir) compiled
   through the embedding API and timed, one process per case so a crash or
   a hang becomes an error row, not a lost table.
3. the kernel peers, each case in its own process: torch_peer.py under
   /usr/bin/python3 (Debian's torch 1.13) and, when `make peers` made
   .venv-peers, torch_peer.py under its PyTorch 2.x and iree_peer.py
   (IREE, llvm-cpu) under the same venv. A peer that is not installed gets
   no column; one that fails gets an error cell.
4. models.py: whole models (a llama at TinyLlama-1.1B's shapes, Mamba at
   Mamba-130m's; F32 and BF16) through tokamak-bench-model, and their
   peers llama.cpp and transformers (model_peers.py under .venv-peers,
   `make peers`).

Prints the peak lines and a Markdown table per part; writes every number to
bench/results/latest.json (or --json-out). Standard library only (plus
numpy, unused today). Column meanings and the roofline arithmetic are in
bench/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases  # noqa: E402
import models  # noqa: E402

TORCH_PYTHON = "/usr/bin/python3"
# The opt-in peer venv (`make peers`, scripts/install-peers.sh).
PEERS_PYTHON = models.PEERS_PYTHON


class Peer:
    """One kernel peer: `script` run under `python`, one process per case.
    `label` names its columns ("torch 1.13 ms", "vs torch 1.13")."""

    def __init__(self, key, label, python, script, title):
        self.key = key
        self.label = label
        self.python = python
        self.script = os.path.join(HERE, script)
        self.title = title


def venv_versions():
    """Versions of torch and IREE in .venv-peers ({} without the venv),
    read from the package metadata (no import: torch takes seconds)."""
    if not os.path.exists(PEERS_PYTHON):
        return {}
    code = ("import json\n"
            "from importlib.metadata import version\n"
            "out = {}\n"
            "for p in ('torch', 'iree-base-compiler', 'iree-base-runtime'):\n"
            "    try:\n"
            "        out[p] = version(p)\n"
            "    except Exception:\n"
            "        out[p] = None\n"
            "print(json.dumps(out))\n")
    try:
        out = subprocess.run([PEERS_PYTHON, "-c", code], capture_output=True,
                             text=True, timeout=60)
        return json.loads(out.stdout)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {}


def kernel_peers(args):
    """The kernel peers this run compares with, and lines saying which ones
    are missing: Debian's torch 1.13 (unless --no-torch), and from
    .venv-peers torch 2.x (unless --no-torch or --no-peers) and IREE
    (unless --no-iree or --no-peers)."""
    peers, missing = [], []
    if not args.no_torch:
        peers.append(Peer("torch", "torch 1.13", TORCH_PYTHON,
                          "torch_peer.py", "PyTorch (Debian)"))
    want_torch2 = not args.no_torch and not args.no_peers
    want_iree = not args.no_iree and not args.no_peers
    if not want_torch2 and not want_iree:
        return peers, missing
    found = venv_versions()
    if not found:
        missing.append("peer: PyTorch 2.x and IREE: n/a (no %s; make peers)"
                       % os.path.relpath(PEERS_PYTHON, os.path.dirname(HERE)))
        return peers, missing
    version = found.get("torch")
    if want_torch2:
        if version and not version.startswith("1."):
            peers.append(Peer("torch2", "torch " + ".".join(
                version.split("+")[0].split(".")[:2]), PEERS_PYTHON,
                "torch_peer.py", "PyTorch (.venv-peers)"))
        else:
            missing.append("peer: PyTorch 2.x: n/a (.venv-peers has torch "
                           "%s; make peers)" % version)
    if want_iree:
        if found.get("iree-base-compiler") and found.get("iree-base-runtime"):
            peers.append(Peer("iree", "iree", PEERS_PYTHON, "iree_peer.py",
                              "IREE"))
        else:
            missing.append("peer: IREE: n/a (.venv-peers lacks "
                           "iree-base-compiler/iree-base-runtime; make "
                           "peers)")
    return peers, missing
# Compile times above this are mentioned in the note.
SLOW_COMPILE_MS = 2000
# --check: largest accepted max|tokamak - torch| / max|torch| (f32).
CHECK_TOLERANCE = 1e-4


def log(message):
    sys.stderr.write("[bench] %s\n" % message)
    sys.stderr.flush()


def run_streaming(cmd, env, timeout, on_line=None):
    """Runs `cmd`, collecting stdout lines; kills it after `timeout` seconds.
    Returns (parsed JSON objects, return code or None on timeout, stderr)."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    timed_out = []

    def kill():
        timed_out.append(True)
        proc.kill()
    timer = threading.Timer(timeout, kill)
    timer.start()
    stderr_chunks = []
    reader = threading.Thread(
        target=lambda: stderr_chunks.append(proc.stderr.read()))
    reader.start()
    events = []
    try:
        for line in proc.stdout:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue
            events.append(event)
            if on_line:
                on_line(event)
        proc.wait()
    finally:
        timer.cancel()
        reader.join()
    code = None if timed_out else proc.returncode
    return events, code, "".join(stderr_chunks)


def first_line(text, limit=110):
    lines = [l.strip() for l in (text or "").splitlines() if l.strip()]
    # MLIR diagnostics: prefer the line that says "error:".
    for l in lines:
        if "error" in l:
            text = l
            break
    else:
        text = lines[0] if lines else ""
    # Drop an MLIR location prefix ("file.mlir:4:8: error: ").
    text = re.sub(r"^\S+:\d+:\d+:\s*(error:\s*)?", "", text)
    text = text.replace("|", "/")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def measure_peak(build_dir, quick, env, isa=""):
    exe = os.path.join(build_dir, "bin", "tokamak-bench-peak")
    cmd = [exe] + (["--quick"] if quick else []) + \
        (["--isa=" + isa] if isa else [])
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True,
                             timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"error": "tokamak-bench-peak: %s" % e}
    if out.returncode != 0:
        return {"error": "tokamak-bench-peak failed: %s" %
                first_line(out.stderr)}
    try:
        return json.loads(out.stdout)
    except ValueError:
        return {"error": "tokamak-bench-peak printed no JSON"}


def timing_spec(args):
    """The timing options both runners take."""
    return {"threads": args.threads,
            "target_seconds": args.target_seconds,
            "cap_seconds": args.cap_seconds,
            "single_call_seconds": args.single_call_seconds,
            "rotate_mib": args.rotate_mib,
            "cpu": args.cpu}


def run_case(name, cmd, spec, env, args):
    """Runs one case's benchmark process (tokamak-bench or torch_peer.py)
    on `spec` under --timeout. Returns its result event (min_ms, ...), or a
    dict with error/stage (and timeout_s when it ran out of time); a
    "check" event is kept under "check"."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
        path = f.name
    try:
        events, code, stderr = run_streaming(cmd + ["--spec=" + path], env,
                                             args.timeout)
    except OSError as e:
        return {"error": str(e), "stage": "launch"}
    finally:
        os.unlink(path)
    by_kind = {e.get("event"): e for e in events}
    result = None
    if "result" in by_kind:
        result = dict(by_kind["result"])
    elif "error" in by_kind:
        err = by_kind["error"]
        result = {"error": err.get("message", ""), "stage": err.get("stage")}
    elif code is None and "warmup" in by_kind:
        ms = by_kind["warmup"]["ms"]
        result = {"min_ms": ms, "median_ms": ms, "iters": 1, "warmup_ms": ms,
                  "note": "timed out after the warm-up call (--timeout=%g s); "
                          "it is the only sample" % args.timeout}
    elif code is None:
        stage = ("the first call" if "compiled" in by_kind or
                 "inputs" in by_kind else "compilation")
        result = {"error": "%s did not finish within --timeout=%g s" % (
                      stage, args.timeout),
                  "stage": "timeout", "timeout_s": args.timeout}
    else:
        stage = "run" if "compiled" in by_kind else "start"
        result = {"error": "exited with %s: %s" % (
                      code, first_line(stderr) or "no message"),
                  "stage": "crash in " + stage}
    for kind in ("check", "peer"):
        if kind in by_kind:
            result[kind] = by_kind[kind]
    return result


def merge_peaks(first, second):
    """The better of two peak measurements, field by field: a limit measured
    while other processes shared the cores is too low, never too high."""
    if "error" in first:
        return second
    if "error" in second:
        return first
    merged = dict(first)
    for key, value in second.items():
        if "_gflops" in key or "_gbs" in key or "clean_runs" in key:
            merged[key] = max(value, first.get(key, 0))
    return merged


def prepare_module(case, args):
    """The module file of `case`: bench/kernels/<module>.mlir, or its
    `tokamak-opt <case.prepare>` output (a workaround's lowering) in a
    temporary file. Returns (path, error)."""
    path = os.path.join(HERE, "kernels", case.file())
    if not case.prepare:
        return path, None
    exe = os.path.join(args.build_dir, "bin", "tokamak-opt")
    fd, out = tempfile.mkstemp(prefix=case.name + "-", suffix=".mlir")
    os.close(fd)
    try:
        done = subprocess.run([exe, path] + case.prepare + ["-o", out],
                              capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "tokamak-opt: %s" % e
    if done.returncode != 0:
        return None, "tokamak-opt %s failed: %s" % (
            " ".join(case.prepare), first_line(done.stderr))
    return out, None


def bench_tokamak(case, dims, env, args):
    """One case in its own tokamak-bench process."""
    path, error = prepare_module(case, args)
    if error:
        return {"error": error, "stage": "prepare"}
    spec = dict(timing_spec(args), dump_dir=args.check_dir or "", cases=[{
        "name": case.name,
        "file": path,
        "function": case.module,
        "inputs": [{"type": "x".join(str(s) for s in shape) + "x" + dt,
                    "init": init}
                   for shape, dt, init in case.inputs(dims)],
    }])
    exe = os.path.join(args.build_dir, "bin", "tokamak-bench")
    try:
        return run_case(case.name, [exe], spec, env, args)
    finally:
        if case.prepare:
            os.unlink(path)


def bench_peer(peer, case, dims, env, args):
    """One case in its own peer process (torch_peer.py or iree_peer.py;
    after Tokamak's, so with --check the dumped result is there to
    compare)."""
    spec = dict(timing_spec(args), cases=[{
        "name": case.name, "torch": case.torch, "dims": dims,
        "inputs": [[list(s), dt, init] for s, dt, init in case.inputs(dims)],
    }])
    cmd = [peer.python, peer.script]
    if args.check_dir:
        cmd.append("--check-dir=" + args.check_dir)
    result = run_case(case.name, cmd, spec, env, args)
    check = result.get("check")
    if check and "rel_err" in check:
        log("check   %-26s max|tokamak - %s| / max|%s| = %.1e" % (
            case.name, peer.label, peer.label, check["rel_err"]))
    return result


def fmt_ms(ms):
    if ms is None:
        return "-"
    if ms >= 100:
        return "%.0f" % ms
    if ms >= 10:
        return "%.1f" % ms
    if ms >= 1:
        return "%.2f" % ms
    return "%.3f" % ms


def fmt_count(n, unit):
    for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= scale:
            return "%.3g %s%s" % (n / scale, prefix, unit)
    return "%d %s" % (n, unit)


def fmt_rate(x):
    if x is None:
        return "-"
    return "%.1f" % x if x >= 1 else "%.3f" % x


def analyse(case, dims, tok, peer_results, peak):
    """One table row's numbers. `peer_results`: peer key -> its result."""
    flops, nbytes = case.flops(dims), case.bytes(dims)
    row = {"case": case.name, "op": case.op, "shape": case.shape(dims),
           "dtype": case.dtype, "dims": dims, "flops": flops, "bytes": nbytes,
           "intensity": flops / nbytes, "tokamak": tok,
           "torch": peer_results.get("torch"), "peers": peer_results,
           "speedups": {}}
    fma = peak.get("fma_gflops")
    bw = peak.get("bandwidth_gbs")
    if fma and bw:
        # Roofline: memory-bound when the arithmetic intensity is below the
        # machine balance (peak FLOP/s per byte/s of bandwidth).
        row["bound"] = "memory" if flops / nbytes < fma / bw else "compute"
    else:
        row["bound"] = None
    if tok and "min_ms" in tok:
        sec = tok["min_ms"] / 1e3
        row["gflops"] = flops / sec / 1e9
        row["gbs"] = nbytes / sec / 1e9
        if row["bound"] == "compute":
            row["pct_peak"] = 100 * row["gflops"] / fma
        elif row["bound"] == "memory":
            row["pct_peak"] = 100 * row["gbs"] / bw
    for key, result in peer_results.items():
        if tok and result and "min_ms" in tok and "min_ms" in result:
            # Peer time / Tokamak time: > 1 when Tokamak is faster.
            row["speedups"][key] = result["min_ms"] / tok["min_ms"]
    if "torch" in row["speedups"]:
        row["speedup"] = row["speedups"]["torch"]
    return row


def peer_cell(peer, result, notes):
    """A peer's ms cell; appends its notes. "-" when it does not run the
    case (iree_peer.py's "unsupported": the reason is in the JSON and under
    the table)."""
    if not result:
        return "-"
    if "timeout_s" in result:
        notes.append("%s timeout: %s" % (peer.label, result["error"]))
        return "> %g s" % result["timeout_s"]
    if result.get("stage") == "unsupported":
        return "-"
    if "error" in result:
        notes.append("%s %s: %s" % (peer.label, result.get("stage") or "error",
                                    first_line(result["error"])))
        return "error"
    if "min_ms" in result:
        if result.get("note"):
            notes.append("%s %s" % (peer.label, result["note"]))
        return fmt_ms(result["min_ms"])
    return "-"


def table(rows, peers, checked):
    head = ["op", "shape", "dtype", "FLOP", "bytes", "bound", "tokamak ms",
            "GFLOP/s", "GB/s", "% peak"]
    for peer in peers:
        head += ["%s ms" % peer.label, "vs %s" % peer.label]
    if checked:
        head.append("rel err")
    head.append("note")
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        tok = r["tokamak"] or {}
        notes = []
        if "timeout_s" in tok:
            tok_ms = "> %g s" % tok["timeout_s"]
            notes.append("tokamak timeout: " + tok["error"])
        elif "error" in tok:
            tok_ms = "error"
            notes.append("tokamak %s: %s" % (tok.get("stage") or "error",
                                              first_line(tok["error"])))
        else:
            tok_ms = "%s (med %s)" % (fmt_ms(tok.get("min_ms")),
                                      fmt_ms(tok.get("median_ms")))
            if tok.get("note"):
                notes.append("tokamak " + tok["note"])
            if tok.get("compile_ms", 0) > SLOW_COMPILE_MS:
                notes.append("tokamak compile %.1f s" %
                             (tok["compile_ms"] / 1e3))
            if tok.get("nonfinite_outputs"):
                notes.append("tokamak output has %d NaN/inf" %
                             tok["nonfinite_outputs"])
        if r.get("vs_workaround"):
            notes.append("%s%.1fx faster than the %s row" % (
                "over " if r["vs_workaround"].get("at_least") else "",
                r["vs_workaround"]["ratio"], r["vs_workaround"]["case"]))
        pct = r.get("pct_peak")
        bound = r.get("bound") or "?"
        pct_text = ("%.1f%% %s" % (pct, "FMA" if bound == "compute" else "BW")
                    if pct is not None else "-")
        cells = [r["op"], r["shape"], r["dtype"], fmt_count(r["flops"], ""),
                 fmt_count(r["bytes"], "B"), bound, tok_ms,
                 fmt_rate(r.get("gflops")), fmt_rate(r.get("gbs")), pct_text]
        results = r.get("peers") or {}
        for peer in peers:
            cells.append(peer_cell(peer, results.get(peer.key), notes))
            speed = r.get("speedups", {}).get(peer.key)
            cells.append(("%.2fx" % speed) if speed else "-")
        if checked:
            # The first peer's error (Debian torch's unless --no-torch);
            # every other peer's check only when it fails.
            text = "-"
            for i, peer in enumerate(peers):
                check = (results.get(peer.key) or {}).get("check") or {}
                if "rel_err" in check:
                    bad = check["rel_err"] > CHECK_TOLERANCE
                    if i == 0 or text == "-":
                        text = "%.1e" % check["rel_err"] + (
                            " MISMATCH" if bad else "")
                        if i:
                            text += " (%s)" % peer.label
                    elif bad:
                        notes.append("%s check: rel err %.1e MISMATCH" % (
                            peer.label, check["rel_err"]))
                elif "error" in check:
                    notes.append("%s check: %s" % (
                        peer.label, first_line(check["error"])))
            cells.append(text)
        cells.append("; ".join(notes))
        lines.append("| " + " | ".join(c.strip() for c in cells) + " |")
    return "\n".join(lines)


def unsupported_lines(rows, peers):
    """One line per peer naming the cases it cannot express (a "-" cell)
    and why."""
    lines = []
    for peer in peers:
        reasons = {}
        for r in rows:
            result = (r.get("peers") or {}).get(peer.key) or {}
            if result.get("stage") == "unsupported":
                reasons.setdefault(result.get("error", ""), []).append(
                    r["case"])
        for reason, names in reasons.items():
            lines.append("%s: - for %s: %s" % (peer.label, ", ".join(names),
                                                reason))
    return lines


def peak_lines(peak, threads):
    if "error" in peak:
        return ["peak: error: %s" % peak["error"]]
    return [
        "peak: fp32 FMA %.1f GFLOP/s on 1 thread, %.1f GFLOP/s on %d threads "
        "(%s, %d independent FMA chains per thread)" % (
            peak["fma_gflops_1t"], peak["fma_gflops"], peak["threads"],
            peak["isa"], peak["fma_chains"]),
        "peak: streaming bandwidth copy %.1f GB/s, triad %.1f GB/s, read "
        "%.1f GB/s on %d threads (%d MiB arrays; %d of %d runs "
        "uncontended) -> roof %.1f GB/s" % (
            peak["copy_gbs"], peak["triad_gbs"], peak.get("read_gbs", 0),
            peak["threads"], peak["array_mib"],
            peak.get("bandwidth_clean_runs", 0),
            peak.get("bandwidth_runs", 0), peak["bandwidth_gbs"]),
        "peak: machine balance %.1f FLOP/byte (rows below it are "
        "memory-bound)" % (peak["fma_gflops"] / peak["bandwidth_gbs"]),
    ]


def main():
    parser = argparse.ArgumentParser(
        description="Tokamak benchmarks: machine peak, compiled kernels, "
                    "PyTorch peers; one table.")
    parser.add_argument("--build-dir", default=os.path.join(
        os.path.dirname(HERE), "build"))
    parser.add_argument("--filter", default="",
                        help="regex over case names and op names")
    parser.add_argument("--quick", action="store_true",
                        help="small shapes and short timings (smoke run)")
    parser.add_argument("--no-torch", action="store_true",
                        help="skip the PyTorch peers (Debian's 1.13 and "
                             ".venv-peers' 2.x)")
    parser.add_argument("--no-iree", action="store_true",
                        help="skip the IREE peer")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads for everything (default: "
                             "OMP_NUM_THREADS, else 2)")
    parser.add_argument("--timeout", type=float, default=0,
                        help="seconds one Tokamak case may take (default 60, "
                             "30 with --quick)")
    parser.add_argument("--target-seconds", type=float, default=0,
                        help="timed seconds per kernel (default 1, 0.2 with "
                             "--quick)")
    parser.add_argument("--cap-seconds", type=float, default=2.0,
                        help="calls slower than this get 1 warm-up + 1 timed "
                             "call")
    parser.add_argument("--single-call-seconds", type=float, default=10.0,
                        help="calls slower than this are run once")
    parser.add_argument("--rotate-mib", type=float, default=-1,
                        help="cycle calls through copies of the inputs "
                             "holding this many MiB, so they stream from "
                             "DRAM (default 256, 0 with --quick)")
    parser.add_argument("--cpu", default="",
                        help="CPU to generate Tokamak's kernels for (LLVM "
                        "name; default: the host's). --cpu=znver3 "
                        "--peak-isa=avx2 times AVX2 code on an AVX-512 host")
    parser.add_argument("--peak-isa", default="", choices=["", "avx2",
                                                          "avx512"],
                        help="FMA width of the measured peak (default: the "
                        "host's widest)")
    parser.add_argument("--json-out", default=os.path.join(
        HERE, "results", "latest.json"))
    parser.add_argument("--check", action="store_true",
                        help="also compare each Tokamak result with each "
                             "kernel peer's on the same inputs (use with "
                             "--quick: the inputs are written to disk)")
    parser.add_argument("--no-models", action="store_true",
                        help="skip the model rows")
    parser.add_argument("--no-peers", action="store_true",
                        help="skip every peer in .venv-peers: the kernel "
                             "rows' PyTorch 2.x and IREE, the model rows' "
                             "llama.cpp and transformers (Debian's torch "
                             "1.13 still runs)")
    parser.add_argument("--model-timeout", type=float, default=0,
                        help="seconds one model may take on one side "
                             "(default 900, 300 with --quick)")
    parser.add_argument("--models-dir", default="",
                        help="where the model checkpoints and the compile "
                             "cache go (default BUILD_DIR/bench-models)")
    parser.add_argument("--list", action="store_true",
                        help="list the cases and exit")
    args = parser.parse_args()
    if not args.threads:
        env_threads = os.environ.get("OMP_NUM_THREADS", "").split(",")[0]
        args.threads = int(env_threads) if env_threads.isdigit() else 2
    if not args.timeout:
        args.timeout = 30.0 if args.quick else 60.0
    if args.rotate_mib < 0:
        args.rotate_mib = 0 if args.quick else 256
    if not args.target_seconds:
        args.target_seconds = 0.2 if args.quick else 1.0
    if not args.model_timeout:
        args.model_timeout = 300.0 if args.quick else 900.0
    if not args.models_dir:
        args.models_dir = os.path.join(args.build_dir, "bench-models")

    try:
        pattern = re.compile(args.filter)
    except re.error as e:
        parser.error("bad --filter: %s" % e)
    selected = [(c, c.resolved_dims(args.quick)) for c in cases.CASES
                if pattern.search(c.name) or pattern.search(c.op)]
    selected_models = ([] if args.no_models else
                       models.selected_models(pattern, args.quick))
    if args.list:
        for c, dims in selected:
            print("%-26s %-28s %s" % (c.name, c.op, c.shape(dims)))
        for m, dt in selected_models:
            print("%-26s %-28s %d layers" % ("%s-%s" % (m.name, dt), m.label,
                                             m.layers(args.quick)))
        return 0
    if not selected and not selected_models:
        parser.error("--filter=%s matches no case (see --list)" % args.filter)

    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(args.threads)
    peers, missing_peers = (kernel_peers(args) if selected
                            else ([], []))
    args.check_dir = ""
    if args.check:
        if not peers:
            parser.error("--check needs a kernel peer (drop --no-torch)")
        check_tmp = tempfile.TemporaryDirectory(prefix="tokamak-bench-")
        args.check_dir = check_tmp.name
    started = datetime.datetime.now().astimezone()

    # The peak is measured before and after the kernels; the table uses the
    # better of the two (other processes on the cores only lower it).
    load_start = os.getloadavg()[0]
    log("measuring the machine's peak (%d threads)" % args.threads)
    peak_before = measure_peak(args.build_dir, args.quick, env, args.peak_isa)

    # Per case: Tokamak, then each peer, each in its own process.
    tok_results, peer_results, peer_info = {}, {}, {}
    for c, dims in selected:
        peer_results[c.name] = {}
        for peer in [None] + peers:
            side = peer.label if peer else "tokamak"
            log("%-10s %-26s %s" % (side, c.name, c.shape(dims)))
            t0 = time.time()
            if peer is None:
                r = tok_results[c.name] = bench_tokamak(c, dims, env, args)
            else:
                r = peer_results[c.name][peer.key] = bench_peer(
                    peer, c, dims, env, args)
                if r.get("peer") and peer.key not in peer_info:
                    peer_info[peer.key] = r["peer"]
            log("%-10s %-26s %s (%.1f s)" % (
                side, c.name, ("%.3f ms" % r["min_ms"]) if "min_ms" in r
                else "error: " + first_line(r.get("error")), time.time() - t0))
    for peer in peers:
        # Columns named after the version the peer reported.
        info = peer_info.get(peer.key) or {}
        if peer.key.startswith("torch") and info.get("torch"):
            peer.label = "torch " + ".".join(
                info["torch"].split("+")[0].split(".")[:2])

    model_entries = []
    if selected_models:
        helpers = argparse.Namespace(run_streaming=run_streaming,
                                     first_line=first_line)
        model_entries = models.run_models(selected_models, args, env,
                                          helpers)

    log("measuring the machine's peak again")
    peak_after = measure_peak(args.build_dir, args.quick, env, args.peak_isa)
    peak = merge_peaks(peak_before, peak_after)
    load_end = os.getloadavg()[0]
    for line in peak_lines(peak, args.threads):
        print(line)
    cpus = os.cpu_count() or 1
    print("load: 1-minute load average %.1f at the start, %.1f at the end, on "
          "%d CPUs%s" % (load_start, load_end, cpus,
                         " -- other processes shared the cores; timings are "
                         "noisy" if max(load_start, load_end) > 0.5 * cpus
                         else ""))
    for peer in peers:
        info = peer_info.get(peer.key)
        if not info:
            print("peer: %s (%s): no case started (see the notes)" % (
                peer.title, peer.python))
        elif "torch" in info:
            print("peer: PyTorch %s (%s), %s threads, BLAS %s, attention %s" % (
                info["torch"], peer.python, info.get("threads"),
                info.get("blas") or "unknown",
                info.get("attention") or "matmul + softmax + matmul"))
        else:
            print("peer: IREE %s (iree-base-compiler, runtime %s, %s), "
                  "%s driver with %s workers, iree-compile %s (GEMMs: +%s)"
                  % (info.get("iree"), info.get("iree_runtime"), peer.python,
                     info.get("driver"), info.get("threads"),
                     " ".join(info.get("flags") or []),
                     " ".join(info.get("gemm_flags") or [])))
    for line in missing_peers:
        print(line)
    peak_for_rows = peak if "error" not in peak else {}
    rows = [analyse(c, dims, tok_results.get(c.name),
                    peer_results.get(c.name, {}), peak_for_rows)
            for c, dims in selected]
    for (c, _), r in zip(selected, rows):
        # Workaround time / this time, both timed in this run.
        other = tok_results.get(c.workaround) if c.workaround else None
        tok = tok_results.get(c.name)
        if other and tok and "min_ms" in other and "min_ms" in tok:
            r["vs_workaround"] = {"case": c.workaround,
                                  "ratio": other["min_ms"] / tok["min_ms"]}
        elif other and tok and "timeout_s" in other and "min_ms" in tok:
            # The workaround ran out of time: a lower bound.
            r["vs_workaround"] = {"case": c.workaround, "at_least": True,
                                  "ratio": other["timeout_s"] * 1e3 /
                                  tok["min_ms"]}

    title = "%s, %s, %d threads%s" % (
        started.strftime("%Y-%m-%d %H:%M %Z"),
        peak.get("cpu", platform.processor() or "unknown CPU"), args.threads,
        ", --quick shapes" if args.quick else "")
    if rows:
        print()
        print("Tokamak benchmarks, " + title)
        print()
        print(table(rows, peers, bool(args.check_dir)))
        unsupported = unsupported_lines(rows, peers)
        if unsupported:
            print()
            for line in unsupported:
                print(line)
    model_rows = []
    if model_entries:
        model_table, model_rows = models.table(model_entries, peak_for_rows,
                                               args)
        print()
        peer_lines = models.peer_lines(model_entries, args)
        for line in peer_lines:
            print(line)
        if peer_lines:
            print()
        print("Tokamak models, " + title)
        print()
        print(model_table)
        print()
        for line in models.compile_lines(model_entries):
            print(line)
    sys.stdout.flush()

    result = {
        "date": started.isoformat(),
        "host": platform.node(),
        "threads": args.threads,
        "quick": args.quick,
        "filter": args.filter,
        "peak": peak,
        "peak_runs": [peak_before, peak_after],
        "load_average": [load_start, load_end],
        "torch": peer_info.get("torch"),
        "peers": {p.key: dict(peer_info.get(p.key) or {}, label=p.label,
                              python=p.python,
                              script=os.path.basename(p.script))
                  for p in peers},
        "missing_peers": missing_peers,
        "rows": rows,
        "model_rows": model_rows,
        "models": model_entries,
    }
    out_dir = os.path.dirname(os.path.abspath(args.json_out))
    os.makedirs(out_dir, exist_ok=True)
    with open(args.json_out, "w") as f:
        json.dump(result, f, indent=1)
    log("wrote %s" % args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
