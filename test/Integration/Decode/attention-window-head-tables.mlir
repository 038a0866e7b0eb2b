// The sliding-window model of attention-window.mlir (window 6, 2 sinks) in
// the per-head layout: slots [B, Hkv, S], block tables [N, Hkv, MaxBlocks]
// and lens [N, Hkv] (tok.cache_write per-head slots, tok.paged_attention
// per-head lens and tables) over pools of one-head blocks, decoded through
// rt::Session's HeadKVCacheManager with the window=6,sinks=2 policy, which
// frees each head's blocks that fall out of the window. The same scenario as
// attention-window.mlir (packed ragged prefill, batched decode, fork, free and
// reuse, a continued prompt) in a pool of 14 blocks; every logit row equals
// the row of @forward and the PyTorch reference.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/decode_ref.py weights --model=attention --seed=3 --out=%t/w
// RUN: tokamak-decode-check %s --weights=%t/w --out=%t/run --kv-policy=window=6,sinks=2 --num-blocks=14 | FileCheck %s
// RUN: %python %S/decode_ref.py check --model=attention --weights=%t/w --run=%t/run --window=6 --sinks=2 --rtol=1e-4

// CHECK: model: 1 attention layers (14 blocks of 4 rows), 0 recurrent states, 6 weights, vocab 32, kv policy window=6,sinks=2
// CHECK: prefill 0 1 2: 5 11 3 tokens
// CHECK: fork 1 -> 4
// CHECK: free 2
// CHECK: prefill 3: 7 tokens
// CHECK: sequence 3 reuses the blocks of sequence 2: yes
// CHECK: prefill 0: 3 tokens (continuation)
// CHECK: error (expected): decode: unknown sequence 2
// CHECK: kv blocks in use: 11 of 14 (one kv head per block)
// CHECK: sequence 0: 20 tokens, {{[0-9]+}} cache rows, 14 logit rows, max rel err vs @forward {{[0-9.e+-]+$}}
// CHECK: sequence 1: 23 tokens, {{[0-9]+}} cache rows, 13 logit rows, max rel err vs @forward {{[0-9.e+-]+$}}
// CHECK: sequence 2: 7 tokens, freed, 5 logit rows, max rel err vs @forward {{[0-9.e+-]+$}}
// CHECK: sequence 3: 15 tokens, {{[0-9]+}} cache rows, 9 logit rows, max rel err vs @forward {{[0-9.e+-]+$}}
// CHECK: sequence 4: 23 tokens, {{[0-9]+}} cache rows, 13 logit rows, max rel err vs @forward {{[0-9.e+-]+$}}
// CHECK: OK

// Vocabulary 32, width 16, 2 query heads and 1 KV head of dim 8; pools of
// one-head blocks of 4 rows. Every attention masks with window 6 and 2 sinks,
// as the session's policy evicts. Weights: embedding [32, 16], wq [16, 16],
// wk [8, 16], wv [8, 16], wo [16, 16], lm_head [32, 16].

func.func @prefill(%tokens: tensor<1x?xi32>, %positions: tensor<1x?xi32>,
                   %seq_starts: tensor<?xi32>, %slots: tensor<1x1x?xi32>,
                   %block_table: tensor<?x1x?xi32>, %lens: tensor<?x1xi32>,
                   %kc: tensor<?x4x1x8xf32> {bufferization.writable = true},
                   %vc: tensor<?x4x1x8xf32> {bufferization.writable = true},
                   %emb: tensor<32x16xf32>, %wq: tensor<16x16xf32>,
                   %wk: tensor<8x16xf32>, %wv: tensor<8x16xf32>,
                   %wo: tensor<16x16xf32>, %wlm: tensor<32x16xf32>)
    -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t = tensor.dim %tokens, %c1 : tensor<1x?xi32>
  %x = tok.embedding %tokens, %emb : (tensor<1x?xi32>, tensor<32x16xf32>) -> tensor<1x?x16xf32>
  %q = tok.linear %x, %wq : (tensor<1x?x16xf32>, tensor<16x16xf32>) -> tensor<1x?x16xf32>
  %k = tok.linear %x, %wk : (tensor<1x?x16xf32>, tensor<8x16xf32>) -> tensor<1x?x8xf32>
  %v = tok.linear %x, %wv : (tensor<1x?x16xf32>, tensor<8x16xf32>) -> tensor<1x?x8xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [1, %t, 2, 8] : tensor<1x?x16xf32> into tensor<1x?x2x8xf32>
  %qe = tensor.empty(%t) : tensor<1x2x?x8xf32>
  %qh = linalg.transpose ins(%q4 : tensor<1x?x2x8xf32>) outs(%qe : tensor<1x2x?x8xf32>) permutation = [0, 2, 1, 3]
  %kh = tensor.expand_shape %k [[0], [1, 2], [3]] output_shape [1, 1, %t, 8] : tensor<1x?x8xf32> into tensor<1x1x?x8xf32>
  %vh = tensor.expand_shape %v [[0], [1, 2], [3]] output_shape [1, 1, %t, 8] : tensor<1x?x8xf32> into tensor<1x1x?x8xf32>
  %qr = tok.rope %qh, %positions : (tensor<1x2x?x8xf32>, tensor<1x?xi32>) -> tensor<1x2x?x8xf32>
  %kr = tok.rope %kh, %positions : (tensor<1x1x?x8xf32>, tensor<1x?xi32>) -> tensor<1x1x?x8xf32>
  %kc2 = tok.cache_write %kc, %kr, %slots : (tensor<?x4x1x8xf32>, tensor<1x1x?x8xf32>, tensor<1x1x?xi32>) -> tensor<?x4x1x8xf32>
  %vc2 = tok.cache_write %vc, %vh, %slots : (tensor<?x4x1x8xf32>, tensor<1x1x?x8xf32>, tensor<1x1x?xi32>) -> tensor<?x4x1x8xf32>
  // Attend over the rows just written, read back through the slots: the
  // writes would otherwise be dead (tok.cache_write is pure) and vanish.
  %re = tensor.empty(%t) : tensor<1x1x?x8xf32>
  %kb = linalg.generic {indexing_maps = [affine_map<(b, h, s, d) -> (b, h, s)>, affine_map<(b, h, s, d) -> (b, h, s, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%slots : tensor<1x1x?xi32>) outs(%re : tensor<1x1x?x8xf32>) {
  ^bb0(%slot: i32, %out: f32):
    %h = linalg.index 1 : index
    %d = linalg.index 3 : index
    %s = arith.index_cast %slot : i32 to index
    %blk = arith.divui %s, %c4 : index
    %row = arith.remui %s, %c4 : index
    %val = tensor.extract %kc2[%blk, %row, %h, %d] : tensor<?x4x1x8xf32>
    linalg.yield %val : f32
  } -> tensor<1x1x?x8xf32>
  %vb = linalg.generic {indexing_maps = [affine_map<(b, h, s, d) -> (b, h, s)>, affine_map<(b, h, s, d) -> (b, h, s, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%slots : tensor<1x1x?xi32>) outs(%re : tensor<1x1x?x8xf32>) {
  ^bb0(%slot: i32, %out: f32):
    %h = linalg.index 1 : index
    %d = linalg.index 3 : index
    %s = arith.index_cast %slot : i32 to index
    %blk = arith.divui %s, %c4 : index
    %row = arith.remui %s, %c4 : index
    %val = tensor.extract %vc2[%blk, %row, %h, %d] : tensor<?x4x1x8xf32>
    linalg.yield %val : f32
  } -> tensor<1x1x?x8xf32>
  %o = tok.attention %qr, %kb, %vb seq_starts(%seq_starts : tensor<?xi32>) {causal, sinks = 2 : i64, window = 6 : i64} : (tensor<1x2x?x8xf32>, tensor<1x1x?x8xf32>, tensor<1x1x?x8xf32>) -> tensor<1x2x?x8xf32>
  %oe = tensor.empty(%t) : tensor<1x?x2x8xf32>
  %ot = linalg.transpose ins(%o : tensor<1x2x?x8xf32>) outs(%oe : tensor<1x?x2x8xf32>) permutation = [0, 2, 1, 3]
  %o2 = tensor.collapse_shape %ot [[0], [1], [2, 3]] : tensor<1x?x2x8xf32> into tensor<1x?x16xf32>
  %p = tok.linear %o2, %wo : (tensor<1x?x16xf32>, tensor<16x16xf32>) -> tensor<1x?x16xf32>
  %he = tensor.empty(%t) : tensor<1x?x16xf32>
  %hid = linalg.add ins(%x, %p : tensor<1x?x16xf32>, tensor<1x?x16xf32>) outs(%he : tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  // The last token of sequence i is row seq_starts[i + 1] - 1.
  %n1 = tensor.dim %seq_starts, %c0 : tensor<?xi32>
  %n = arith.subi %n1, %c1 : index
  %le = tensor.empty(%n) : tensor<?x16xf32>
  %last = linalg.generic {indexing_maps = [affine_map<(i, e) -> (i, e)>], iterator_types = ["parallel", "parallel"]} outs(%le : tensor<?x16xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %e = linalg.index 1 : index
    %i1 = arith.addi %i, %c1 : index
    %end = tensor.extract %seq_starts[%i1] : tensor<?xi32>
    %endi = arith.index_cast %end : i32 to index
    %r = arith.subi %endi, %c1 : index
    %val = tensor.extract %hid[%c0, %r, %e] : tensor<1x?x16xf32>
    linalg.yield %val : f32
  } -> tensor<?x16xf32>
  %logits = tok.linear %last, %wlm : (tensor<?x16xf32>, tensor<32x16xf32>) -> tensor<?x32xf32>
  return %logits : tensor<?x32xf32>
}

func.func @decode(%tokens: tensor<?x1xi32>, %positions: tensor<?x1xi32>,
                  %seq_starts: tensor<?xi32>, %slots: tensor<?x1x1xi32>,
                  %block_table: tensor<?x1x?xi32>, %lens: tensor<?x1xi32>,
                  %kc: tensor<?x4x1x8xf32> {bufferization.writable = true},
                  %vc: tensor<?x4x1x8xf32> {bufferization.writable = true},
                  %emb: tensor<32x16xf32>, %wq: tensor<16x16xf32>,
                  %wk: tensor<8x16xf32>, %wv: tensor<8x16xf32>,
                  %wo: tensor<16x16xf32>, %wlm: tensor<32x16xf32>)
    -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %b = tensor.dim %tokens, %c0 : tensor<?x1xi32>
  %x = tok.embedding %tokens, %emb : (tensor<?x1xi32>, tensor<32x16xf32>) -> tensor<?x1x16xf32>
  %q = tok.linear %x, %wq : (tensor<?x1x16xf32>, tensor<16x16xf32>) -> tensor<?x1x16xf32>
  %k = tok.linear %x, %wk : (tensor<?x1x16xf32>, tensor<8x16xf32>) -> tensor<?x1x8xf32>
  %v = tok.linear %x, %wv : (tensor<?x1x16xf32>, tensor<8x16xf32>) -> tensor<?x1x8xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [%b, 1, 2, 8] : tensor<?x1x16xf32> into tensor<?x1x2x8xf32>
  %qe = tensor.empty(%b) : tensor<?x2x1x8xf32>
  %qh = linalg.transpose ins(%q4 : tensor<?x1x2x8xf32>) outs(%qe : tensor<?x2x1x8xf32>) permutation = [0, 2, 1, 3]
  %kh = tensor.expand_shape %k [[0], [1, 2], [3]] output_shape [%b, 1, 1, 8] : tensor<?x1x8xf32> into tensor<?x1x1x8xf32>
  %vh = tensor.expand_shape %v [[0], [1, 2], [3]] output_shape [%b, 1, 1, 8] : tensor<?x1x8xf32> into tensor<?x1x1x8xf32>
  %qr = tok.rope %qh, %positions : (tensor<?x2x1x8xf32>, tensor<?x1xi32>) -> tensor<?x2x1x8xf32>
  %kr = tok.rope %kh, %positions : (tensor<?x1x1x8xf32>, tensor<?x1xi32>) -> tensor<?x1x1x8xf32>
  %kc2 = tok.cache_write %kc, %kr, %slots : (tensor<?x4x1x8xf32>, tensor<?x1x1x8xf32>, tensor<?x1x1xi32>) -> tensor<?x4x1x8xf32>
  %vc2 = tok.cache_write %vc, %vh, %slots : (tensor<?x4x1x8xf32>, tensor<?x1x1x8xf32>, tensor<?x1x1xi32>) -> tensor<?x4x1x8xf32>
  %o = tok.paged_attention %qr, %kc2, %vc2, %block_table, %lens {sinks = 2 : i64, window = 6 : i64} : (tensor<?x2x1x8xf32>, tensor<?x4x1x8xf32>, tensor<?x4x1x8xf32>, tensor<?x1x?xi32>, tensor<?x1xi32>) -> tensor<?x2x1x8xf32>
  %oe = tensor.empty(%b) : tensor<?x1x2x8xf32>
  %ot = linalg.transpose ins(%o : tensor<?x2x1x8xf32>) outs(%oe : tensor<?x1x2x8xf32>) permutation = [0, 2, 1, 3]
  %o2 = tensor.collapse_shape %ot [[0], [1], [2, 3]] : tensor<?x1x2x8xf32> into tensor<?x1x16xf32>
  %p = tok.linear %o2, %wo : (tensor<?x1x16xf32>, tensor<16x16xf32>) -> tensor<?x1x16xf32>
  %he = tensor.empty(%b) : tensor<?x1x16xf32>
  %hid = linalg.add ins(%x, %p : tensor<?x1x16xf32>, tensor<?x1x16xf32>) outs(%he : tensor<?x1x16xf32>) -> tensor<?x1x16xf32>
  %l3 = tok.linear %hid, %wlm : (tensor<?x1x16xf32>, tensor<32x16xf32>) -> tensor<?x1x32xf32>
  %logits = tensor.collapse_shape %l3 [[0], [1, 2]] : tensor<?x1x32xf32> into tensor<?x32xf32>
  return %logits : tensor<?x32xf32>
}

// The reference: the same layer on one whole sequence, logits of every row.
func.func @forward(%tokens: tensor<1x?xi32>, %positions: tensor<1x?xi32>,
                   %emb: tensor<32x16xf32>, %wq: tensor<16x16xf32>,
                   %wk: tensor<8x16xf32>, %wv: tensor<8x16xf32>,
                   %wo: tensor<16x16xf32>, %wlm: tensor<32x16xf32>)
    -> tensor<1x?x32xf32> {
  %c1 = arith.constant 1 : index
  %t = tensor.dim %tokens, %c1 : tensor<1x?xi32>
  %x = tok.embedding %tokens, %emb : (tensor<1x?xi32>, tensor<32x16xf32>) -> tensor<1x?x16xf32>
  %q = tok.linear %x, %wq : (tensor<1x?x16xf32>, tensor<16x16xf32>) -> tensor<1x?x16xf32>
  %k = tok.linear %x, %wk : (tensor<1x?x16xf32>, tensor<8x16xf32>) -> tensor<1x?x8xf32>
  %v = tok.linear %x, %wv : (tensor<1x?x16xf32>, tensor<8x16xf32>) -> tensor<1x?x8xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [1, %t, 2, 8] : tensor<1x?x16xf32> into tensor<1x?x2x8xf32>
  %qe = tensor.empty(%t) : tensor<1x2x?x8xf32>
  %qh = linalg.transpose ins(%q4 : tensor<1x?x2x8xf32>) outs(%qe : tensor<1x2x?x8xf32>) permutation = [0, 2, 1, 3]
  %kh = tensor.expand_shape %k [[0], [1, 2], [3]] output_shape [1, 1, %t, 8] : tensor<1x?x8xf32> into tensor<1x1x?x8xf32>
  %vh = tensor.expand_shape %v [[0], [1, 2], [3]] output_shape [1, 1, %t, 8] : tensor<1x?x8xf32> into tensor<1x1x?x8xf32>
  %qr = tok.rope %qh, %positions : (tensor<1x2x?x8xf32>, tensor<1x?xi32>) -> tensor<1x2x?x8xf32>
  %kr = tok.rope %kh, %positions : (tensor<1x1x?x8xf32>, tensor<1x?xi32>) -> tensor<1x1x?x8xf32>
  %o = tok.attention %qr, %kr, %vh {causal, sinks = 2 : i64, window = 6 : i64} : (tensor<1x2x?x8xf32>, tensor<1x1x?x8xf32>, tensor<1x1x?x8xf32>) -> tensor<1x2x?x8xf32>
  %oe = tensor.empty(%t) : tensor<1x?x2x8xf32>
  %ot = linalg.transpose ins(%o : tensor<1x2x?x8xf32>) outs(%oe : tensor<1x?x2x8xf32>) permutation = [0, 2, 1, 3]
  %o2 = tensor.collapse_shape %ot [[0], [1], [2, 3]] : tensor<1x?x2x8xf32> into tensor<1x?x16xf32>
  %p = tok.linear %o2, %wo : (tensor<1x?x16xf32>, tensor<16x16xf32>) -> tensor<1x?x16xf32>
  %he = tensor.empty(%t) : tensor<1x?x16xf32>
  %hid = linalg.add ins(%x, %p : tensor<1x?x16xf32>, tensor<1x?x16xf32>) outs(%he : tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %logits = tok.linear %hid, %wlm : (tensor<1x?x16xf32>, tensor<32x16xf32>) -> tensor<1x?x32xf32>
  return %logits : tensor<1x?x32xf32>
}
