#===- peer_timing.py - The peers' timing loop -----------------------------===#
#
# Part of the Tokamak project. The JSON-lines output and the timing rules
# that every peer runner (torch_peer.py, iree_peer.py) shares with
# tokamak-bench: one warm-up call, a single sample past
# single_call_seconds, one timed call past cap_seconds, else about
# target_seconds of calls (at most max_iters).
#
#===----------------------------------------------------------------------===#
import json
import sys
import time


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def time_case(name, fn, input_sets, opts):
    """Returns (samples in ms, warm-up ms, note) with tokamak-bench's rules;
    call i reads input_sets[i % len(input_sets)]."""
    calls = [0]

    def call():
        inputs = input_sets[calls[0] % len(input_sets)]
        calls[0] += 1
        start = time.perf_counter()
        fn(*inputs)
        return (time.perf_counter() - start) * 1e3

    warm = call()
    emit({"event": "warmup", "case": name, "ms": warm})
    if warm > opts["single_call_seconds"] * 1e3:
        return [warm], warm, ("1 call only (no warm-up): a call takes over "
                              "%g s" % opts["single_call_seconds"])
    note = ""
    if warm > opts["cap_seconds"] * 1e3:
        iters = 1
        note = ("capped: 1 warm-up + 1 timed call (a call takes over %g s)"
                % opts["cap_seconds"])
    else:
        # As tokamak-bench: estimate from a second call, and from up to
        # three more while they are short.
        estimate = call()
        for _ in range(3):
            if estimate >= 50.0:
                break
            estimate = min(estimate, call())
        iters = int(opts["target_seconds"] * 1e3 / max(estimate, 1e-3))
        iters = max(1, min(opts["max_iters"], iters))
    return [call() for _ in range(iters)], warm, note
