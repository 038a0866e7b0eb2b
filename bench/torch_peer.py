#!/usr/bin/python3
"""PyTorch CPU peers of the Tokamak benchmark kernels.

Runs under Debian's python3-torch (/usr/bin/python3, torch 1.13) and under
the PyTorch 2.x of .venv-peers (`make peers`). Plain, straightforward
PyTorch: what a model author writes without custom kernels. Attention is
F.scaled_dot_product_attention where it exists (torch 2.x: on the CPU its
flash-attention kernel) and matmul + masked softmax + matmul on 1.13; the
selective scan is the sequential loop of mamba's `selective_scan_ref`;
linear_scan is the sequential recurrence.

    /usr/bin/python3 bench/torch_peer.py --spec=SPEC.json
    .venv-peers/bin/python bench/torch_peer.py --spec=SPEC.json

SPEC.json (written by run.py): {"threads", "target_seconds", "cap_seconds",
"single_call_seconds", "max_iters", "rotate_mib", "cases": [{"name",
"torch", "inputs":
[[shape, dtype, init], ...]}]}. Prints one JSON object per line, like
tokamak-bench: {"event": "result", "case", "min_ms", "median_ms", "iters",
...} or {"event": "error", "case", "stage", "message"}; with --check-dir,
also {"event": "check", "case", "rel_err", ...} comparing Tokamak's dumped
result with the peer's on the same inputs. Timing follows
tokamak-bench: one warm-up call, then about target_seconds of timed calls;
a call over cap_seconds gets one timed call, over single_call_seconds none;
calls cycle through copies of the inputs holding rotate_mib MiB together.
"""

import argparse
import json
import math
import os
import sys
import traceback

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases  # noqa: E402
from peer_timing import emit, time_case  # noqa: E402

# Scores held at once by the attention peer (heads are processed in groups).
SCORE_BUDGET_BYTES = 512 << 20

SDPA = getattr(F, "scaled_dot_product_attention", None)
try:
    _SDPA_GQA = SDPA is not None and "enable_gqa" in (
        SDPA.__doc__ or "")
except Exception:  # noqa: BLE001 - a missing docstring means no GQA flag
    _SDPA_GQA = False


def attention(q, k, v):
    """Causal (bottom-right aligned) GQA attention: q [B,Hq,Sq,D], k/v
    [B,Hkv,Skv,D]; F.scaled_dot_product_attention when torch has it."""
    if SDPA is not None:
        return attention_sdpa(q, k, v)
    return attention_matmul(q, k, v)


def attention_sdpa(q, k, v):
    """torch 2.x: F.scaled_dot_product_attention. Sq == Skv: is_causal
    (top-left = bottom-right aligned); Sq == 1 (decode): no mask, the query
    sees every key; otherwise a boolean bottom-right mask. GQA with
    enable_gqa (torch >= 2.5), else K/V repeated per query head as HF's
    repeat_kv does."""
    sq, skv = q.shape[2], k.shape[2]
    rep = q.shape[1] // k.shape[1]
    kwargs = {}
    if rep > 1:
        if _SDPA_GQA:
            kwargs["enable_gqa"] = True
        else:
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
    if sq == skv:
        return SDPA(q, k, v, is_causal=True, **kwargs)
    if sq == 1:
        return SDPA(q, k, v, **kwargs)
    visible = torch.ones(sq, skv, dtype=torch.bool).tril(skv - sq)
    return SDPA(q, k, v, attn_mask=visible, **kwargs)


def attention_matmul(q, k, v):
    """torch 1.13: matmul, masked softmax, matmul. The query heads of one kv
    head are folded into the rows of one matmul, so k and v are never
    repeated."""
    b, hq, sq, d = q.shape
    hkv, skv = k.shape[1], k.shape[2]
    rep = hq // hkv
    scale = d ** -0.5
    hidden = torch.ones(sq, skv, dtype=torch.bool).triu(skv - sq + 1)
    qg = q.reshape(b, hkv, rep * sq, d)
    out = torch.empty(b, hkv, rep * sq, v.shape[-1], dtype=q.dtype)
    groups = max(1, min(hkv, SCORE_BUDGET_BYTES // (b * rep * sq * skv * 4)))
    for g0 in range(0, hkv, groups):
        g = slice(g0, min(hkv, g0 + groups))
        s = torch.matmul(qg[:, g], k[:, g].transpose(-1, -2)) * scale
        s = s.view(b, -1, rep, sq, skv).masked_fill_(hidden, float("-inf"))
        p = torch.softmax(s, dim=-1).view(b, -1, rep * sq, skv)
        out[:, g] = torch.matmul(p, v[:, g])
    return out.view(b, hq, sq, -1)


def attention_blocksparse(q, k, v, indices, counts):
    """Causal block-sparse attention (tok.attention block_indices with
    block_q = block_k = Sq / Nqb, Sq = Skv): per query block, gathers the
    listed key blocks (ids >= 0, the first counts[b, g, qb]) and runs masked
    attention over them."""
    b, hq, sq, d = q.shape
    hkv, skv, dv = k.shape[1], k.shape[2], v.shape[-1]
    rep = hq // hkv
    nqb, sel = indices.shape[2], indices.shape[3]
    blk = sq // nqb
    kb = k.view(b, hkv, skv // blk, blk, d)
    vb = v.view(b, hkv, skv // blk, blk, dv)
    bi = torch.arange(b)[:, None, None]
    gi = torch.arange(hkv)[None, :, None]
    offsets = torch.arange(blk)
    out = torch.empty(b, hkv, rep, sq, dv, dtype=q.dtype)
    for qb in range(nqb):
        ids = indices[:, :, qb].long()
        live = (torch.arange(sel) < counts[:, :, qb, None].long()) & (ids >= 0)
        ids = ids.clamp(min=0)
        keys = kb[bi, gi, ids].flatten(2, 3)      # [b, hkv, sel * blk, d]
        values = vb[bi, gi, ids].flatten(2, 3)
        rows = q[:, :, qb * blk:(qb + 1) * blk].reshape(b, hkv, rep * blk, d)
        s = torch.matmul(rows, keys.transpose(-1, -2)) * d ** -0.5
        key_pos = (ids[..., None] * blk + offsets).flatten(2)
        query_pos = (qb * blk + offsets).repeat(rep)
        visible = (live[..., None].expand(-1, -1, -1, blk).flatten(2)[:, :, None]
                   & (key_pos[:, :, None] <= query_pos[:, None]))
        s = s.masked_fill(~visible, float("-inf"))
        p = torch.softmax(s, dim=-1).nan_to_num(0.0)
        out[:, :, :, qb * blk:(qb + 1) * blk] = torch.matmul(p, values).view(
            b, hkv, rep, blk, dv)
    return out.view(b, hq, sq, dv)


def paged_attention(q, kc, vc, table, lens):
    """Gathers each sequence's blocks into contiguous K/V, then attention."""
    block = kc.shape[1]
    outs = []
    for i in range(q.shape[0]):
        n = int(lens[i])
        ids = table[i, :(n + block - 1) // block].long()
        k = kc[ids].flatten(0, 1)[:n].permute(1, 0, 2).unsqueeze(0)
        v = vc[ids].flatten(0, 1)[:n].permute(1, 0, 2).unsqueeze(0)
        outs.append(attention(q[i:i + 1], k, v))
    return torch.cat(outs)


def _attend_group(out, q, i, g, k, v, hkv):
    """out[i, kv group g's query heads] = softmax(q k^T / sqrt(d)) v, with k
    and v [rows, d] the group's visible keys and values (Hkv groups)."""
    rep = q.shape[1] // hkv
    qs = q[i, g * rep:(g + 1) * rep]                   # [rep, sq, d]
    s = torch.matmul(qs, k.t()) * q.shape[-1] ** -0.5
    out[i, g * rep:(g + 1) * rep] = torch.matmul(torch.softmax(s, dim=-1), v)


def _listed_rows(indices, counts, i, g, n, block_k=64):
    """The cache rows of sequence i's kv head g that its block list names:
    the first counts[i, g] ids, those in range, once each (blocks of
    block_k rows), or None when there are none."""
    ids = sorted({int(x) for x in indices[i, g, :int(counts[i, g])]
                  if 0 <= int(x) < -(-n // block_k)})
    if not ids:
        return None
    return torch.cat([torch.arange(x * block_k, min(n, (x + 1) * block_k))
                      for x in ids])


def paged_attention_blocksparse(q, kc, vc, table, lens, indices, counts):
    """Sparse paged decode (tok.paged_attention block_indices, block_k =
    64): per sequence and kv head, gathers the rows of the listed logical
    key blocks through the block table, then attention of the group's query
    heads over them (the causal mask of one decode token hides nothing below
    the length)."""
    block = kc.shape[1]
    b, hkv = q.shape[0], indices.shape[1]
    out = torch.zeros(b, q.shape[1], q.shape[2], vc.shape[-1], dtype=q.dtype)
    for i in range(b):
        for g in range(hkv):
            rows = _listed_rows(indices, counts, i, g, int(lens[i]))
            if rows is None:
                continue
            pages = table[i].long()[rows // block]
            _attend_group(out, q, i, g, kc[pages, rows % block, g],
                          vc[pages, rows % block, g], hkv)
    return out


def paged_attention_perhead(q, kc, vc, table, lens):
    """Per-head layout: one-head blocks kc [N, BS, 1, D], tables [B, Hkv,
    MaxBlocks], lens [B, Hkv]; gathers each (sequence, kv head)'s rows,
    then attention of the head's query group over them."""
    block = kc.shape[1]
    b, hkv = q.shape[0], table.shape[1]
    out = torch.zeros(b, q.shape[1], q.shape[2], vc.shape[-1], dtype=q.dtype)
    for i in range(b):
        for g in range(hkv):
            n = int(lens[i, g])
            ids = table[i, g, :(n + block - 1) // block].long()
            _attend_group(out, q, i, g, kc[ids, :, 0].flatten(0, 1)[:n],
                          vc[ids, :, 0].flatten(0, 1)[:n], hkv)
    return out


def paged_attention_blocksparse_perhead(q, kc, vc, table, lens, indices,
                                        counts):
    """paged_attention_blocksparse in the per-head layout (tables [B, Hkv,
    MaxBlocks], lens [B, Hkv], one-head blocks)."""
    block = kc.shape[1]
    b, hkv = q.shape[0], indices.shape[1]
    out = torch.zeros(b, q.shape[1], q.shape[2], vc.shape[-1], dtype=q.dtype)
    for i in range(b):
        for g in range(hkv):
            rows = _listed_rows(indices, counts, i, g, int(lens[i, g]))
            if rows is None:
                continue
            pages = table[i, g].long()[rows // block]
            _attend_group(out, q, i, g, kc[pages, rows % block, 0],
                          vc[pages, rows % block, 0], hkv)
    return out


def linear(x, w):
    return F.linear(x, w)


def selective_scan(x, dt, A, B, C, D, z, dt_bias):
    """mamba's selective_scan_ref (delta_softplus, D, z) in the [B, L, Dm]
    layout of tok.selective_scan, B/C with G groups [B, L, G, N]."""
    b, l, dm = x.shape
    g, n = B.shape[2], B.shape[3]
    delta = F.softplus(dt + dt_bias)
    delta_a = torch.exp(delta.unsqueeze(-1) * A)                  # [b,l,dm,n]
    delta_b_u = ((delta * x).view(b, l, g, dm // g, 1)
                 * B.view(b, l, g, 1, n)).view(b, l, dm, n)
    cg = C.view(b, l, g, 1, n)
    h = x.new_zeros(b, dm, n)
    ys = []
    for i in range(l):
        h = delta_a[:, i] * h + delta_b_u[:, i]
        ys.append((h.view(b, g, dm // g, n) * cg[:, i]).sum(-1).view(b, dm))
    y = torch.stack(ys, dim=1)
    out = y + x * D
    return out * F.silu(z)


def linear_scan(q, k, v, g, beta=None):
    """Sequential tok.linear_scan: additive (scalar or per-key-channel decay)
    or, with beta, the gated delta rule; output scale * S_t^T q_t."""
    b, h, l, dk = q.shape
    dv = v.shape[-1]
    scale = cases.LINEAR_SCAN_SCALE
    vector = g.dim() == 4
    a = torch.exp(g)
    s = q.new_zeros(b, h, dk, dv)
    out = q.new_empty(b, h, l, dv)
    for t in range(l):
        at = a[:, :, t]
        s = s * (at.unsqueeze(-1) if vector else at[..., None, None])
        kt = k[:, :, t].unsqueeze(-1)                              # [b,h,dk,1]
        vt = v[:, :, t].unsqueeze(-2)                              # [b,h,1,dv]
        if beta is None:
            s = s + kt * vt
        else:
            u = torch.matmul(kt.transpose(-1, -2), s)              # [b,h,1,dv]
            s = s + kt * (beta[:, :, t, None, None] * (vt - u))
        qt = q[:, :, t].unsqueeze(-2)                              # [b,h,1,dk]
        out[:, :, t] = scale * torch.matmul(qt, s).squeeze(-2)
    return out


def conv1d(x, w, bias):
    """Causal depthwise conv1d + SiLU over x [B, L, C] (mamba's reference:
    F.conv1d with groups=C, padding K-1, cut to L)."""
    length = x.shape[1]
    channels, width = w.shape
    y = F.conv1d(x.transpose(1, 2), w.unsqueeze(1), bias, padding=width - 1,
                 groups=channels)[..., :length]
    return F.silu(y).transpose(1, 2).contiguous()


def rms_norm_linear(x, g, w):
    """tok.rms_norm then tok.linear as HF Llama writes them (torch 1.13 has
    no F.rms_norm): x * rsqrt(mean(x^2) + eps) * g, then F.linear."""
    h = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + cases.RMS_NORM_EPS)
    return F.linear(h * g, w)


def topk(name):
    """torch.topk along the last dim (sorted, the largest first), after
    summing each group of G heads (dim 1) as tok.topk's group does."""
    k, group = cases.TOPK[name]["k"], cases.TOPK[name]["group"]

    def run(x):
        if group > 1:
            shape = list(x.shape)
            x = x.view(shape[0], shape[1] // group, group,
                       *shape[2:]).sum(2)
        return torch.topk(x, k, dim=-1).values
    return run


def attention_stats(q, k, v):
    """attention() plus the stats of tok.attention: softmax probabilities of
    the last W query rows (bottom-right causal mask), summed over the rows
    and each kv head's query heads. Returns the attention output (the
    check's first result); the stats are computed and timed with it."""
    out = attention(q, k, v)
    w = cases.ATTENTION_STATS_WINDOW
    b, hq, sq, d = q.shape
    hkv, skv = k.shape[1], k.shape[2]
    rep = hq // hkv
    qw = q[:, :, sq - w:].reshape(b, hkv, rep * w, d)
    s = torch.matmul(qw, k.transpose(-1, -2)) * d ** -0.5
    hidden = torch.ones(w, skv, dtype=torch.bool).triu(skv - w + 1)
    s = s.view(b, hkv, rep, w, skv).masked_fill_(hidden, float("-inf"))
    torch.softmax(s, dim=-1).sum(dim=(2, 3))
    return out


PEERS = {
    "attention": attention,
    "attention_stats": attention_stats,
    "paged_attention": paged_attention,
    "attention_blocksparse": attention_blocksparse,
    "paged_attention_blocksparse": paged_attention_blocksparse,
    "paged_attention_perhead": paged_attention_perhead,
    "paged_attention_blocksparse_perhead":
        paged_attention_blocksparse_perhead,
    "linear": linear,
    "selective_scan": selective_scan,
    "linear_scan": linear_scan,
    "conv1d": conv1d,
    "rms_norm_linear": rms_norm_linear,
    "topk_snapkv": topk("topk_snapkv"),
    "topk_nsa": topk("topk_nsa"),
}

DTYPES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16,
          "i32": torch.int32, "i64": torch.int64}


def make_input(shape, dtype, init, generator):
    parts = init.split(":")
    kind, args = parts[0], [float(p) for p in parts[1:]]
    numel = math.prod(shape)
    if kind == "normal":
        t = torch.randn(shape, generator=generator) * (args[0] if args else 1)
    elif kind == "uniform":
        lo, hi = (args + [-1.0, 1.0][len(args):])[:2]
        t = torch.rand(shape, generator=generator) * (hi - lo) + lo
    elif kind == "fill":
        t = torch.full(shape, args[0] if args else 0.0)
    elif kind == "arange":
        t = torch.arange(numel).reshape(shape)
    elif kind == "randperm":
        t = torch.randperm(numel, generator=generator).reshape(shape)
    elif kind in ("blocklist", "blockcount"):
        # As tokamak-bench makes them: query block qb lists
        # min(ceil((qb + 1) / F), MaxSel) blocks, qb then earlier ones.
        frac = int(args[0]) if args else 8
        nqb = shape[-2] if kind == "blocklist" else shape[-1]
        count = (torch.arange(nqb) + frac) // frac
        if kind == "blockcount":
            t = count.expand(shape).clone()
        else:
            sel = shape[-1]
            lists = torch.full((nqb, sel), -1, dtype=torch.int64)
            for qb in range(nqb):
                n = min(int(count[qb]), sel)
                earlier = torch.randperm(qb, generator=generator)[:n - 1]
                lists[qb, :n] = torch.cat([torch.tensor([qb]), earlier])
            t = lists.expand(shape).clone()
    elif kind == "recentlist":
        # As tokamak-bench makes them: per list, block N - 1 then MaxSel - 1
        # distinct random earlier ones.
        nkb, sel = int(args[0]), shape[-1]
        rows = [torch.cat([torch.tensor([nkb - 1]),
                           torch.randperm(nkb - 1, generator=generator)[
                               :sel - 1]])
                for _ in range(math.prod(shape[:-1]))]
        t = torch.stack(rows).view(shape)
    else:
        raise ValueError("unknown init '%s'" % init)
    return t.to(DTYPES[dtype]).contiguous()


def check(name, fn, check_dir):
    """Runs the peer on the inputs tokamak-bench dumped for `name` and
    compares with Tokamak's first result: max |tokamak - torch| relative to
    max |torch|. None when there is no dump."""
    import numpy as np
    inputs = []
    while True:
        path = os.path.join(check_dir, "%s.in%d.npy" % (name, len(inputs)))
        if not os.path.exists(path):
            break
        inputs.append(torch.from_numpy(np.load(path)))
    out_path = os.path.join(check_dir, "%s.out0.npy" % name)
    if not inputs or not os.path.exists(out_path):
        return None
    with torch.inference_mode():
        expected = fn(*inputs).double()
    got = torch.from_numpy(np.load(out_path)).double()
    if got.shape != expected.shape:
        return {"error": "shape %s, torch %s" % (list(got.shape),
                                                 list(expected.shape))}
    scale = expected.abs().max().item()
    err = (got - expected).abs().max().item()
    return {"max_abs_err": err, "ref_max_abs": scale,
            "rel_err": err / scale if scale > 0 else err}


def blas_libraries():
    """The BLAS shared libraries this process has loaded (after a matmul):
    Debian's torch calls whatever libblas.so.3 the alternatives system picks
    (netlib's reference BLAS is ~40x slower than OpenBLAS)."""
    torch.randn(64, 64) @ torch.randn(64, 64)
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                name = os.path.basename(path)
                # Not numpy's own OpenBLAS (torch 2.x imports numpy) nor
                # CUDA's cuBLAS (PyPI's torch wheel loads it).
                if (("blas" in name or "mkl" in name) and
                        path.startswith("/") and "numpy" not in path and
                        "cublas" not in name):
                    found.add(os.path.realpath(path))
    except OSError:
        pass
    mkl = getattr(torch.backends, "mkl", None)
    if not found and mkl is not None and mkl.is_available():
        # PyPI's x86 wheels link MKL into libtorch_cpu.
        return "MKL (linked into libtorch_cpu)"
    return ", ".join(sorted(found))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", required=True)
    parser.add_argument("--check-dir", default="",
                        help="compare with the outputs tokamak-bench dumped "
                             "there (--dump-dir)")
    args = parser.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    opts = dict(target_seconds=1.0, cap_seconds=2.0, single_call_seconds=10.0,
                max_iters=1000, rotate_mib=0)
    opts.update({k: spec[k] for k in opts if k in spec})
    threads = int(spec.get("threads") or os.environ.get("OMP_NUM_THREADS", 2))
    torch.set_num_threads(threads)
    emit({"event": "peer", "torch": torch.__version__, "threads": threads,
          "blas": blas_libraries(),
          "attention": ("scaled_dot_product_attention%s" % (
              " (enable_gqa)" if _SDPA_GQA else " (repeat_kv)")
              if SDPA is not None else "matmul + softmax + matmul")})
    for index, case in enumerate(spec["cases"]):
        name = case["name"]
        try:
            generator = torch.Generator().manual_seed(0x70ca4a + index)
            inputs = [make_input(tuple(shape), dtype, init, generator)
                      for shape, dtype, init in case["inputs"]]
        except Exception as e:  # noqa: BLE001 - reported as an error row
            emit({"event": "error", "case": name, "stage": "inputs",
                  "message": "%s: %s" % (type(e).__name__, e)})
            continue
        if args.check_dir:
            try:
                result = check(name, PEERS[case["torch"]], args.check_dir)
            except Exception as e:  # noqa: BLE001 - reported in the row
                result = {"error": "%s: %s" % (type(e).__name__, e)}
            if result is not None:
                emit(dict({"event": "check", "case": name}, **result))
        emit({"event": "inputs", "case": name})
        # Copies of the inputs, as tokamak-bench --rotate-mib makes them.
        set_bytes = sum(t.numel() * t.element_size() for t in inputs)
        sets = max(1, min(16, math.ceil(opts["rotate_mib"] * (1 << 20)
                                        / max(set_bytes, 1))))
        input_sets = [inputs] + [[t.clone() for t in inputs]
                                 for _ in range(sets - 1)]
        try:
            with torch.inference_mode():
                samples, warm, note = time_case(name, PEERS[case["torch"]],
                                                input_sets, opts)
        except Exception as e:  # noqa: BLE001 - reported as an error row
            emit({"event": "error", "case": name, "stage": "run",
                  "message": "%s: %s" % (type(e).__name__, e),
                  "traceback": traceback.format_exc()})
            continue
        samples.sort()
        mid = len(samples) // 2
        median = (samples[mid] if len(samples) % 2
                  else 0.5 * (samples[mid - 1] + samples[mid]))
        emit({"event": "result", "case": name, "threads": threads,
              "warmup_ms": warm, "iters": len(samples), "min_ms": samples[0],
              "median_ms": median, "input_sets": sets, "note": note})
        del inputs, input_sets


if __name__ == "__main__":
    main()
