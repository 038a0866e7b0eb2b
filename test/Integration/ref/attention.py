#===- attention.py - References for the attention ops --------------------===#
#
# Part of the Tokamak project. PyTorch (float64) references for
# tok.attention, tok.paged_attention, tok.cache_write and tok.lse_merge.
# The math is written out directly (explicit masks, max-subtracted softmax
# in float64); packed and paged cases loop over sequences and run dense
# attention per sequence, independently of how the compiler lowers them.
#
# Flags of case_attention (all optional): --b --hq --hkv --sq --skv --d --dv
# --causal --window=W --sinks=N --scale=F --softcap=F --dtype=f32|f16|bf16
# --bias=full|bcast|key|row_neginf --score_mod=alibi|table --lse
# --seqlens=3,0,5 (packed; B must be 1) --stats [--stats_window=W]
# [--stats_per_query_head] (the stats result, after lse: attention_stats;
# packed, the window is the last W rows of each key's own sequence).
# case_paged_attention takes --block_k=K [--max_sel=S] [--counts] [--diag]
# [--hide_newest] [--empty] for its block lists (_paged_block_lists), and
# (with case_paged_attention_heads) --stats [--stats_per_query_head] for the
# stats result [B, Hkv or Hq, MaxBlocks * BS] (_paged_stats).
# Block sparsity: --block_q=Q --block_k=K [--max_sel=S] [--counts]
# [--ids=random|distinct] [--diag] appends block_indices [B, Hkv,
# ceil(Sq/Q), S] i32 (and with --counts block_counts [B, Hkv, ceil(Sq/Q)]
# i32) after seq_starts; see block_sparse_mask.
# With --rope (attention and paged_attention), q is stored unrotated, random
# positions [B, Sq] i32 (below --max_pos, default 256) are appended to the
# inputs, and the reference applies tok.rope to q first (--theta,
# --rotary_dim, --interleaved; basics.rope).
#
#===----------------------------------------------------------------------===#
import math

import numpy as np
import torch

from .basics import rope

NEG_INF = float("-inf")


def _as_list(value):
    if isinstance(value, int):
        return [value]
    return [int(x) for x in str(value).split(",") if x != ""]


def _round(x, dtype):
    """Rounds the f32 array `x` to `dtype`: (array to store, float64 tensor of
    the rounded values). bf16 is stored as raw uint16 bits."""
    x = np.asarray(x, dtype=np.float32)
    if dtype == "f32":
        return x, torch.from_numpy(x).double()
    if dtype == "f16":
        h = x.astype(np.float16)
        return h, torch.from_numpy(h).double()
    if dtype == "bf16":
        t = torch.from_numpy(x).to(torch.bfloat16)
        return t.view(torch.int16).numpy().view(np.uint16), t.double()
    raise ValueError(f"unknown dtype {dtype}")


def _store(t, dtype):
    """Stores the float64 tensor `t` as `dtype` (bf16 as uint16 bits)."""
    t = t.float()
    if dtype == "f32":
        return t.numpy()
    if dtype == "f16":
        return t.half().numpy()
    if dtype == "bf16":
        return t.to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    raise ValueError(f"unknown dtype {dtype}")


def _softmax_pv(s, v):
    """softmax(s) @ v over the last dim with fully masked rows giving zeros,
    plus the lse (-inf for those rows). s [..., Sq, Skv], v [..., Skv, Dv]."""
    m = s.amax(dim=-1, keepdim=True)
    m = torch.where(torch.isneginf(m), torch.zeros_like(m), m)
    e = torch.exp(s - m)
    l = e.sum(dim=-1, keepdim=True)
    o = torch.where(l > 0, (e @ v) / torch.where(l > 0, l, torch.ones_like(l)),
                    torch.zeros_like(l))
    lse = (m + torch.log(l)).squeeze(-1)
    # Cross-check against torch.softmax on the rows that see something.
    seen = (l > 0).squeeze(-1)
    if seen.any():
        assert torch.allclose(e[seen] / l[seen],
                              torch.softmax(s[seen], dim=-1))
    return o, lse


def dense_attention(q, k, v, scale, softcap=None, mod=None, bias=None,
                    mask=None):
    """q [B,Hq,Sq,D], k [B,Hkv,Skv,D], v [B,Hkv,Skv,Dv] float64; mod(s) gets
    the [B,Hq,Sq,Skv] scores; mask is a bool broadcastable to s (True =
    visible)."""
    groups = q.shape[1] // k.shape[1]
    v = v.repeat_interleave(groups, dim=1)
    return _softmax_pv(_scores(q, k, scale, softcap, mod, bias, mask), v)


def _scores(q, k, scale, softcap=None, mod=None, bias=None, mask=None):
    """The masked scores [B,Hq,Sq,Skv] of dense_attention (-inf = masked)."""
    groups = q.shape[1] // k.shape[1]
    k = k.repeat_interleave(groups, dim=1)
    s = scale * (q @ k.transpose(-1, -2))
    if softcap is not None:
        s = softcap * torch.tanh(s / softcap)
    if mod is not None:
        s = mod(s)
    if bias is not None:
        s = s + bias
    if mask is not None:
        s = s.masked_fill(~mask, NEG_INF)
    return s


def attention_stats(s, hkv, window=None, per_query_head=False):
    """The stats result of tok.attention from the scores s [B,Hq,Sq,Skv]:
    column sums of the softmax probabilities (torch.softmax per row, zeros
    for rows with no visible key) over the last `window` rows (all when None
    or larger than Sq), per query head or summed over each kv head's query
    heads: [B, Hq or Hkv, Skv]."""
    bsz, hq, sq, skv = s.shape
    p = torch.zeros_like(s)
    seen = ~torch.isneginf(s).all(dim=-1)
    p[seen] = torch.softmax(s[seen], dim=-1)
    first = 0 if window is None else max(sq - int(window), 0)
    stats = p[:, :, first:, :].sum(dim=2)
    if per_query_head:
        return stats
    return stats.reshape(bsz, hkv, hq // hkv, skv).sum(dim=2)


def causal_mask(sq, skv, causal, window=None, sinks=None, query_pos=None):
    """[Sq, Skv] visibility; query i sits at query_pos[i] (default
    i + Skv - Sq), key j at j."""
    i = (torch.arange(sq) + (skv - sq) if query_pos is None
         else torch.as_tensor(query_pos))[:, None]
    j = torch.arange(skv)[None, :]
    vis = torch.ones(sq, skv, dtype=torch.bool)
    if causal:
        vis &= j <= i
    if window is not None:
        in_window = j > i - window
        if sinks is not None:
            in_window |= j < sinks
        vis &= in_window
    return vis


def block_sparse_mask(indices, counts, hq, sq, skv, block_q, block_k):
    """[B, Hq, Sq, Skv] visibility of tok.attention's block lists, from the
    formula: key j is visible to row i of head h iff
    j // K == indices[b, h // G, i // Q, s] for some s < clamp(count, 0, S)
    (count = counts[b, h // G, i // Q], or S without counts)."""
    b, hkv, _, sel = indices.shape
    groups = hq // hkv
    ids = torch.from_numpy(indices.astype(np.int64))
    if counts is None:
        used = torch.full(ids.shape[:3], sel, dtype=torch.int64)
    else:
        used = torch.from_numpy(counts.astype(np.int64)).clamp(0, sel)
    row_block = torch.arange(sq) // block_q
    key_block = torch.arange(skv) // block_k
    rows = ids[:, :, row_block, :]                          # [B, Hkv, Sq, S]
    live = torch.arange(sel) < used[:, :, row_block, None]  # [B, Hkv, Sq, S]
    hit = rows[:, :, :, None, :] == key_block[None, None, None, :, None]
    mask = (hit & live[:, :, :, None, :]).any(dim=-1)       # [B, Hkv, Sq, Skv]
    return mask.repeat_interleave(groups, dim=1)


def _block_lists(args, rng, b, hkv, sq, skv):
    """Random block lists: block_indices [B, Hkv, Nqb, S] and block_counts
    [B, Hkv, Nqb] (None without --counts). --ids=random (default) draws ids
    in [-1, Nkb] (padding, out of range and duplicates included) and counts
    in [-1, S + 1]; --ids=distinct draws S distinct valid ids per list
    (counts S). --diag puts the key block of each query block's last row
    (bottom-right aligned) first."""
    block_q, block_k = int(args["block_q"]), int(args["block_k"])
    sel = int(args.get("max_sel", 4))
    nqb, nkb = -(-sq // block_q), -(-skv // block_k)
    if args.get("ids", "random") == "distinct":
        assert sel <= nkb
        idx = np.stack([rng.permutation(nkb)[:sel]
                        for _ in range(b * hkv * nqb)]).reshape(
                            b, hkv, nqb, sel)
        cnt = np.full((b, hkv, nqb), sel)
    else:
        idx = rng.integers(-1, nkb + 1, (b, hkv, nqb, sel))
        cnt = rng.integers(-1, sel + 2, (b, hkv, nqb))
    if args.get("diag") and sel > 0:
        for qb in range(nqb):
            last = min(qb * block_q + block_q - 1, sq - 1) + skv - sq
            diag = min(max(last, 0) // block_k, nkb - 1)
            row = idx[:, :, qb, :]
            row[row == diag] = -1  # listed once, first
            row[:, :, 0] = diag
    idx = idx.astype(np.int32)
    counts = cnt.astype(np.int32) if args.get("counts") else None
    return idx, counts


def _rope_query(args, rng, q):
    """Rotates q [B, H, S, D] (float64) by random positions; returns the
    rotated q and the positions [B, S] i32 to pass to the kernel."""
    bsz, _, seq, dim = q.shape
    pos = rng.integers(0, args.get("max_pos", 256), (bsz, seq)).astype(
        np.int32)
    return rope(q, pos, float(args.get("theta", 10000.0)),
                args.get("rotary_dim", dim), args.get("interleaved")), pos


def _scale(args, d):
    return float(args["scale"]) if "scale" in args else 1.0 / math.sqrt(d)


def case_attention(args, rng):
    """Inputs q, k, v [, bias] [, seq_starts] [, mod table]; outputs o [, lse]."""
    b = args.get("b", 1)
    hq = args.get("hq", 4)
    hkv = args.get("hkv", hq)
    sq = args.get("sq", 64)
    skv = args.get("skv", sq)
    d = args.get("d", 64)
    dv = args.get("dv", d)
    dtype = args.get("dtype", "f32")
    causal = bool(args.get("causal", False))
    window = args.get("window")
    sinks = args.get("sinks")
    softcap = args.get("softcap")
    softcap = float(softcap) if softcap is not None else None
    scale = _scale(args, d)

    q_np, q = _round(rng.standard_normal((b, hq, sq, d)), dtype)
    k_np, k = _round(rng.standard_normal((b, hkv, skv, d)), dtype)
    v_np, v = _round(rng.standard_normal((b, hkv, skv, dv)), dtype)
    inputs = [q_np, k_np, v_np]
    rope_pos = None
    if args.get("rope"):
        q, rope_pos = _rope_query(args, rng, q)

    bias = None
    kind = args.get("bias")
    if kind is not None:
        shape = {"full": (b, hq, sq, skv), "bcast": (1, 1, sq, skv),
                 "key": (skv,), "row_neginf": (b, hq, sq, skv)}[kind]
        bias_np = rng.standard_normal(shape).astype(np.float32)
        if kind == "row_neginf":
            # A few whole rows fully masked by the bias.
            bias_np[:, :, 3, :] = -np.inf
            bias_np[0, 0, sq - 1, :] = -np.inf
        inputs.append(bias_np)
        bias = torch.from_numpy(bias_np).double()

    mod = None
    if args.get("score_mod") == "alibi":
        # s - 0.0625 * (h + 1) * (i - j)
        h_idx = torch.arange(hq, dtype=torch.float64)[:, None, None]
        i_idx = torch.arange(sq, dtype=torch.float64)[:, None]
        j_idx = torch.arange(skv, dtype=torch.float64)[None, :]
        mod = lambda s: s - 0.0625 * (h_idx + 1) * (i_idx - j_idx)
    elif args.get("score_mod") == "table":
        # s * t[h, j], t captured from outside the region.
        t_np = rng.uniform(0.5, 1.5, (hq, skv)).astype(np.float32)
        t = torch.from_numpy(t_np).double()
        mod = lambda s: s * t[None, :, None, :]

    blocks = None
    if "block_q" in args:
        idx, cnt = _block_lists(args, rng, b, hkv, sq, skv)
        blocks = block_sparse_mask(idx, cnt, hq, sq, skv, int(args["block_q"]),
                                   int(args["block_k"]))

    if "seqlens" in args:
        assert b == 1 and sq == skv
        lens = _as_list(args["seqlens"])
        cu = np.concatenate([[0], np.cumsum(lens)]).astype(np.int32)
        assert cu[-1] <= sq
        inputs.append(cu)
        # One dense attention per sequence; rows past cu[-1] see nothing.
        o = torch.zeros(b, hq, sq, dv, dtype=torch.float64)
        lse = torch.full((b, hq, sq), NEG_INF, dtype=torch.float64)
        # Stats: each key counts the last rows of its own sequence; keys
        # past cu[-1] get 0.
        stats_heads = hq if args.get("stats_per_query_head") else hkv
        stats = torch.zeros(b, stats_heads, skv, dtype=torch.float64)
        for start, end in zip(cu[:-1], cu[1:]):
            if end == start:
                continue
            n = int(end - start)
            sl = slice(int(start), int(end))
            seq_bias = None
            if bias is not None:
                full = bias.expand(b, hq, sq, skv)
                seq_bias = full[:, :, sl, sl]
            mask = causal_mask(n, n, causal, window, sinks)
            if blocks is not None:
                mask = mask & blocks[:, :, sl, sl]
            o[:, :, sl], lse[:, :, sl] = dense_attention(
                q[:, :, sl], k[:, :, sl], v[:, :, sl], scale, softcap, None,
                seq_bias, mask)
            if args.get("stats"):
                stats[:, :, sl] = attention_stats(
                    _scores(q[:, :, sl], k[:, :, sl], scale, softcap, None,
                            seq_bias, mask), hkv, args.get("stats_window"),
                    bool(args.get("stats_per_query_head")))
    else:
        mask = causal_mask(sq, skv, causal, window, sinks)
        if blocks is not None:
            mask = mask & blocks
        o, lse = dense_attention(q, k, v, scale, softcap, mod, bias, mask)
        if args.get("stats"):
            stats = attention_stats(
                _scores(q, k, scale, softcap, mod, bias, mask), hkv,
                args.get("stats_window"),
                bool(args.get("stats_per_query_head")))
    if blocks is not None:
        inputs.append(idx)
        if cnt is not None:
            inputs.append(cnt)

    if args.get("score_mod") == "table":
        inputs.append(t_np)
    if rope_pos is not None:
        inputs.append(rope_pos)
    outputs = [_store(o, dtype)]
    if args.get("lse"):
        outputs.append(lse.float().numpy())
    if args.get("stats"):
        outputs.append(stats.float().numpy())
    return inputs, outputs


def case_attention_split(args, rng):
    """Full attention over Skv keys, given as two halves [:n] and [n:].
    Inputs q, k1, v1, k2, v2; outputs o, lse of the full attention."""
    hq = args.get("hq", 4)
    hkv = args.get("hkv", hq)
    sq = args.get("sq", 64)
    skv = args.get("skv", 256)
    n = args.get("n", skv // 2)
    d = args.get("d", 64)
    q_np, q = _round(rng.standard_normal((1, hq, sq, d)), "f32")
    k_np, k = _round(rng.standard_normal((1, hkv, skv, d)), "f32")
    v_np, v = _round(rng.standard_normal((1, hkv, skv, d)), "f32")
    o, lse = dense_attention(q, k, v, 1.0 / math.sqrt(d))
    inputs = [q_np, k_np[:, :, :n], v_np[:, :, :n], k_np[:, :, n:],
              v_np[:, :, n:]]
    return inputs, [_store(o, "f32"), lse.float().numpy()]


def case_paged_attention(args, rng):
    """Inputs q [B,Hq,Sq,D], key/value caches [NB,BS,Hkv,D], block table
    [B,MaxBlocks] i32 (a random permutation of the blocks; unused entries
    point at other sequences' blocks), lens [B] i32; output o."""
    lens = _as_list(args.get("lens", "37,16,1,64"))
    b = len(lens)
    hq = args.get("hq", 4)
    hkv = args.get("hkv", hq)
    sq = args.get("sq", 1)
    d = args.get("d", 64)
    bs = args.get("bs", 16)
    dtype = args.get("dtype", "f32")
    window = args.get("window")
    sinks = args.get("sinks")
    softcap = args.get("softcap")
    softcap = float(softcap) if softcap is not None else None
    scale = _scale(args, d)
    needed = [(n + bs - 1) // bs for n in lens]
    max_blocks = args.get("max_blocks", max(needed) + 1)
    nb = args.get("nb", sum(needed) + 3)
    # A length below Sq (0 included) leaves the first queries without keys.
    assert max(needed) <= max_blocks

    q_np, q = _round(rng.standard_normal((b, hq, sq, d)), dtype)
    kc_np, kc = _round(rng.standard_normal((nb, bs, hkv, d)), dtype)
    vc_np, vc = _round(rng.standard_normal((nb, bs, hkv, d)), dtype)
    perm = rng.permutation(nb)
    table = rng.integers(0, nb, (b, max_blocks)).astype(np.int32)
    used = 0
    for bi, count in enumerate(needed):
        table[bi, :count] = perm[used:used + count]
        used += count
    lens_np = np.asarray(lens, dtype=np.int32)
    inputs = [q_np, kc_np, vc_np, table, lens_np]
    lists = None
    if "block_k" in args:
        lists = _paged_block_lists(args, rng, lens, hkv, max_blocks * bs)
        inputs.extend(a for a in lists[:2] if a is not None)
    if args.get("rope"):
        q, rope_pos = _rope_query(args, rng, q)
        inputs.append(rope_pos)

    o = torch.zeros(b, hq, sq, d, dtype=torch.float64)
    stats = _paged_stats_init(args, b, hq, hkv, max_blocks * bs)
    for bi, n in enumerate(lens):
        if n == 0:
            continue  # no keys: zeros, and nothing in the stats
        pos = torch.arange(n)
        blocks = torch.from_numpy(table[bi].astype(np.int64))[pos // bs]
        keys = kc[blocks, pos % bs].permute(1, 0, 2)[None]    # [1,Hkv,n,D]
        values = vc[blocks, pos % bs].permute(1, 0, 2)[None]
        mask = causal_mask(sq, n, True, window, sinks,
                           query_pos=torch.arange(sq) + n - sq)
        if lists is not None:
            # One query block holding every query: block_q = Sq.
            idx, cnt, block_k = lists
            mask = mask & block_sparse_mask(
                idx[bi:bi + 1, :, None, :],
                None if cnt is None else cnt[bi:bi + 1, :, None], hq, sq, n,
                max(sq, 1), block_k)
        o[bi:bi + 1], _ = dense_attention(q[bi:bi + 1], keys, values, scale,
                                          softcap, None, None, mask)
        if stats is not None:
            s = _scores(q[bi:bi + 1], keys, scale, softcap, None, None, mask)
            stats[bi, :, :n] = attention_stats(
                s, hkv, None, bool(args.get("stats_per_query_head")))[0]
    outputs = [_store(o, dtype)]
    if stats is not None:
        outputs.append(stats.float().numpy())
    return inputs, outputs


def _paged_stats_init(args, b, hq, hkv, max_rows):
    """Zeros for tok.paged_attention's stats result (None without --stats):
    [B, Hq (--stats_per_query_head) or Hkv, MaxBlocks * BS]; column r is
    row r of the sequence's (or kv head's) cache, the probabilities of
    every query summed (attention_stats without a window), so the columns
    at or past the length stay 0."""
    if not args.get("stats"):
        return None
    heads = hq if args.get("stats_per_query_head") else hkv
    return torch.zeros(b, heads, max_rows, dtype=torch.float64)


def _paged_block_lists(args, rng, lens, hkv, capacity):
    """tok.paged_attention's block lists: block_indices [B, Hkv, S] i32 of
    logical key blocks of --block_k rows and (with --counts) block_counts
    [B, Hkv] i32. Ids are drawn in [-1, ceil(capacity / K)] (padding, out
    of range and duplicates included), counts in [-1, S + 1]. --diag lists
    the block of the newest row first; --hide_newest removes it from every
    list; --empty makes every count 0. Returns (idx, counts, K)."""
    block_k = int(args["block_k"])
    sel = int(args.get("max_sel", 4))
    b = len(lens)
    nkb = -(-capacity // block_k)
    idx = rng.integers(-1, nkb + 1, (b, hkv, sel))
    cnt = rng.integers(-1, sel + 2, (b, hkv))
    for bi, n in enumerate(lens):
        newest = max(n - 1, 0) // block_k
        if args.get("diag") and sel > 0:
            row = idx[bi]
            row[row == newest] = -1
            row[:, 0] = newest
        if args.get("hide_newest"):
            idx[bi][idx[bi] == newest] = -1
    if args.get("empty"):
        cnt[:] = 0
    idx = idx.astype(np.int32)
    counts = cnt.astype(np.int32) if args.get("counts") else None
    return idx, counts, block_k


def _head_lens(args):
    """--head_lens=37/0/5,16/16/3: per sequence (comma), per kv head (/)."""
    rows = [[int(x) for x in seq.split("/")]
            for seq in str(args["head_lens"]).split(",") if seq != ""]
    assert rows and all(len(r) == len(rows[0]) for r in rows)
    return rows


def case_paged_attention_heads(args, rng):
    """tok.paged_attention with per-head lens [B, Hkv] (--head_lens).
    --layout=shared: caches [NB,BS,Hkv,D] and one table [B,MaxBlocks] per
    sequence (head h reads head h of the blocks); --layout=heads (default):
    caches [NB,BS,1,D] whose blocks hold one kv head and tables
    [B,Hkv,MaxBlocks] (a random permutation of the blocks over all heads;
    unused entries point at other heads' blocks). Inputs q, key/value caches,
    table, lens; output o. Head h of sequence b holds rows r < lens[b, h];
    query i sits at row lens[b, h] - Sq + i of every kv head h. --block_k
    and the other flags of _paged_block_lists append block lists over rows
    (block_indices [B, Hkv, S], block_counts [B, Hkv])."""
    lens = _head_lens(args)
    b, hkv = len(lens), len(lens[0])
    hq = args.get("hq", 2 * hkv)
    sq = args.get("sq", 1)
    d = args.get("d", 64)
    bs = args.get("bs", 16)
    dtype = args.get("dtype", "f32")
    layout = args.get("layout", "heads")
    window = args.get("window")
    sinks = args.get("sinks")
    softcap = args.get("softcap")
    softcap = float(softcap) if softcap is not None else None
    scale = _scale(args, d)
    groups = hq // hkv
    assert groups * hkv == hq
    needed = [[(n + bs - 1) // bs for n in row] for row in lens]
    if layout == "heads":
        max_needed = max(max(r) for r in needed)
        nb = args.get("nb", sum(sum(r) for r in needed) + 3)
        cache_heads = 1
    else:
        # A shared table: every head's rows [0, lens[b, h]) in the same
        # blocks, as many as the longest head needs.
        needed = [[max(r)] for r in needed]
        max_needed = max(r[0] for r in needed)
        nb = args.get("nb", sum(r[0] for r in needed) + 3)
        cache_heads = hkv
    max_blocks = args.get("max_blocks", max_needed + 1)
    assert max_needed <= max_blocks

    q_np, q = _round(rng.standard_normal((b, hq, sq, d)), dtype)
    kc_np, kc = _round(rng.standard_normal((nb, bs, cache_heads, d)), dtype)
    vc_np, vc = _round(rng.standard_normal((nb, bs, cache_heads, d)), dtype)
    perm = rng.permutation(nb)
    used = 0
    if layout == "heads":
        table = rng.integers(0, nb, (b, hkv, max_blocks)).astype(np.int32)
        for bi in range(b):
            for h in range(hkv):
                count = needed[bi][h]
                table[bi, h, :count] = perm[used:used + count]
                used += count
    else:
        table = rng.integers(0, nb, (b, max_blocks)).astype(np.int32)
        for bi in range(b):
            count = needed[bi][0]
            table[bi, :count] = perm[used:used + count]
            used += count
    lens_np = np.asarray(lens, dtype=np.int32)
    inputs = [q_np, kc_np, vc_np, table, lens_np]
    lists = None
    if "block_k" in args:
        # Logical blocks of block_k rows of each head; diag/hide_newest use
        # the longest head's newest row (the others get random ids).
        lists = _paged_block_lists(args, rng, [max(r) for r in lens], hkv,
                                   max_blocks * bs)
        inputs.extend(a for a in lists[:2] if a is not None)

    # Per (sequence, kv head): gather the head's rows, attend its query
    # heads with the row-space mask.
    o = torch.zeros(b, hq, sq, d, dtype=torch.float64)
    stats = _paged_stats_init(args, b, hq, hkv, max_blocks * bs)
    per_query_head = bool(args.get("stats_per_query_head"))
    for bi in range(b):
        for h in range(hkv):
            n = lens[bi][h]
            if n == 0:
                continue  # no keys: every query row of the head gives zeros
            rows = torch.arange(n)
            if layout == "heads":
                blocks = torch.from_numpy(
                    table[bi, h].astype(np.int64))[rows // bs]
                keys = kc[blocks, rows % bs, 0]                 # [n, D]
                values = vc[blocks, rows % bs, 0]
            else:
                blocks = torch.from_numpy(
                    table[bi].astype(np.int64))[rows // bs]
                keys = kc[blocks, rows % bs, h]
                values = vc[blocks, rows % bs, h]
            mask = causal_mask(sq, n, True, window, sinks,
                               query_pos=torch.arange(sq) + n - sq)
            if lists is not None:
                idx, cnt, block_k = lists
                mask = mask & block_sparse_mask(
                    idx[bi:bi + 1, h:h + 1, None, :],
                    None if cnt is None else cnt[bi:bi + 1, h:h + 1, None],
                    1, sq, n, max(sq, 1), block_k)[0, 0]
            heads = slice(h * groups, (h + 1) * groups)
            o[bi:bi + 1, heads], _ = dense_attention(
                q[bi:bi + 1, heads], keys[None, None], values[None, None],
                scale, softcap, None, None, mask)
            if stats is not None:
                s = _scores(q[bi:bi + 1, heads], keys[None, None], scale,
                            softcap, None, None, mask)
                col = attention_stats(s, 1, None, per_query_head)[0]
                stats[bi, heads if per_query_head else slice(h, h + 1),
                      :n] = col
    outputs = [_store(o, dtype)]
    if stats is not None:
        outputs.append(stats.float().numpy())
    return inputs, outputs


def case_cache_write_heads(args, rng):
    """tok.cache_write with per-head slots [B,Hkv,S] (distinct, some
    negative). --cache_heads=1 (default): cache [NB,BS,1,D], head h of the
    update goes to head 0 of its slot's block; --cache_heads=Hkv: to head
    h. Inputs cache, update [B,Hkv,S,D], slots; output the updated cache."""
    nb = args.get("nb", 8)
    bs = args.get("bs", 16)
    hkv = args.get("hkv", 2)
    cache_heads = args.get("cache_heads", 1)
    d = args.get("d", 64)
    b = args.get("b", 3)
    s = args.get("len", 5)
    dtype = args.get("dtype", "f32")
    cache_np, cache = _round(rng.standard_normal((nb, bs, cache_heads, d)),
                             dtype)
    upd_np, upd = _round(rng.standard_normal((b, hkv, s, d)), dtype)
    # Distinct cells (slot, cache head) so that no two writes collide.
    if cache_heads == 1:
        slots = rng.choice(nb * bs, size=(b, hkv, s),
                           replace=False).astype(np.int32)
    else:
        slots = np.stack([rng.choice(nb * bs, size=(b, s), replace=False)
                          for _ in range(hkv)], axis=1).astype(np.int32)
    slots[rng.random((b, hkv, s)) < 0.3] = -1
    slots[0, 0, 0] = -7
    out = cache.clone()
    for bi in range(b):
        for h in range(hkv):
            for si in range(s):
                slot = int(slots[bi, h, si])
                if slot >= 0:
                    out[slot // bs, slot % bs, 0 if cache_heads == 1 else h] = \
                        upd[bi, h, si]
    return [cache_np, upd_np, slots], [_store(out, dtype)]


def case_cache_write(args, rng):
    """Inputs cache [NB,BS,Hkv,D], update [B,Hkv,S,D] (S = --len), slots
    [B,S] i32 (distinct, some negative); output the updated cache."""
    nb = args.get("nb", 8)
    bs = args.get("bs", 16)
    hkv = args.get("hkv", 2)
    d = args.get("d", 64)
    b = args.get("b", 3)
    s = args.get("len", 5)
    dtype = args.get("dtype", "f32")
    cache_np, cache = _round(rng.standard_normal((nb, bs, hkv, d)), dtype)
    upd_np, upd = _round(rng.standard_normal((b, hkv, s, d)), dtype)
    slots = rng.choice(nb * bs, size=(b, s), replace=False).astype(np.int32)
    skip = rng.random((b, s)) < 0.3
    slots[skip] = -1
    slots[0, 0] = -7
    out = cache.clone()
    for bi in range(b):
        for si in range(s):
            slot = int(slots[bi, si])
            if slot >= 0:
                out[slot // bs, slot % bs] = upd[bi, :, si]
    return [cache_np, upd_np, slots], [_store(out, dtype)]


def case_lse_merge(args, rng):
    """Inputs o1 [B,H,S,Dv], l1 [B,H,S], o2, l2 (H = --heads, S = --len;
    some rows -inf in one or both); outputs o, l."""
    b = args.get("b", 1)
    h = args.get("heads", 4)
    s = args.get("len", 32)
    dv = args.get("dv", 64)
    dtype = args.get("dtype", "f32")
    o1_np, o1 = _round(rng.standard_normal((b, h, s, dv)), dtype)
    o2_np, o2 = _round(rng.standard_normal((b, h, s, dv)), dtype)
    l1_np = (rng.standard_normal((b, h, s)) * 4).astype(np.float32)
    l2_np = (rng.standard_normal((b, h, s)) * 4).astype(np.float32)
    l1_np[:, :, 1] = -np.inf
    l2_np[:, :, 2] = -np.inf
    l1_np[:, :, 3] = -np.inf
    l2_np[:, :, 3] = -np.inf
    l1_np[0, 0, 4] = 60.0  # large values must not overflow
    l2_np[0, 0, 4] = 59.0
    l1, l2 = torch.from_numpy(l1_np).double(), torch.from_numpy(l2_np).double()
    l = torch.logaddexp(l1, l2)
    dead = torch.isneginf(l)[..., None]
    w1 = torch.exp(l1 - l)[..., None]
    w2 = torch.exp(l2 - l)[..., None]
    o = torch.where(dead, torch.zeros(()), w1 * o1 + w2 * o2)
    return [o1_np, l1_np, o2_np, l2_np], [_store(o, dtype), l.float().numpy()]
