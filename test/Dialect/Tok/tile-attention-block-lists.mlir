// RUN: tokamak-opt %s --split-input-file --tok-tile-attention="cpu=znver4" --canonicalize --cse | FileCheck %s
// RUN: tokamak-opt %s --split-input-file --tok-tile-attention="cpu=znver4 remarks=true" --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK-AVX512
// RUN: tokamak-opt %s --split-input-file --tok-tile-attention="cpu=znver3 remarks=true" --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK-AVX2

// Block-sparse causal attention: the key-block loop runs over the tile's
// list (block_counts entries), reads each id, skips ids out of range or
// listed before (an inner scan of the earlier entries), and visits the
// kernel blocks of the listed block masked or not; no loop over every key
// block remains.
// CHECK-LABEL: func.func @attention_block_lists_f32
// CHECK-SAME:    (%[[QUERY:[^:]*]]: tensor<1x8x?x64xf32>, %[[KEY:[^:]*]]: tensor<1x8x?x64xf32>, %[[VALUE:[^:]*]]: tensor<1x8x?x64xf32>, %[[INDICES:[^:]*]]: tensor<1x8x?x?xi32>, %[[COUNTS:[^:]*]]: tensor<1x8x?xi32>)
// CHECK-NOT:   tok.attention
// CHECK:       scf.forall
// CHECK:         %[[COUNT:.*]] = tensor.extract %[[COUNTS]]
// CHECK:         scf.for %[[ENTRY:.*]] = %c0 to %{{.*}} step %c1
// CHECK:           %[[ID:.*]] = tensor.extract %[[INDICES]][%{{.*}}, %{{.*}}, %{{.*}}, %[[ENTRY]]] : tensor<1x8x?x?xi32>
// CHECK:           scf.for %[[EARLIER:.*]] = %c0 to %[[ENTRY]] step %c1 iter_args(%{{.*}} = %false) -> (i1)
// CHECK:             tensor.extract %[[INDICES]][%{{.*}}, %{{.*}}, %{{.*}}, %[[EARLIER]]]
// CHECK:             arith.cmpi eq, %{{.*}}, %[[ID]] : i32
// CHECK:           scf.if
// CHECK:             scf.if
// CHECK:               scf.if
// CHECK-NOT:         tok.key_blocks = "interior"
// CHECK:         } {tok.key_blocks = "listed"}
func.func @attention_block_lists_f32(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>, %v: tensor<1x8x?x64xf32>, %idx: tensor<1x8x?x?xi32>, %cnt: tensor<1x8x?xi32>) -> tensor<1x8x?x64xf32> {
  %o = tok.attention %q, %k, %v block_indices(%idx : tensor<1x8x?x?xi32>) block_counts(%cnt : tensor<1x8x?xi32>) {block_k = 64 : i64, block_q = 64 : i64, causal} : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// -----

// Key blocks of 24 keys: the kernel splits them into blocks of 8 keys, a
// multiple of AVX2's 8 f32 lanes but not of AVX-512's 16, where the op is
// left for the reference lowering.
// REMARK-AVX512: remark: tok-tile-attention: left for convert-tok-to-linalg: block_k 24 and block-keys 64 share no multiple of the f32 lanes 16
// REMARK-AVX2-NOT: left for convert-tok-to-linalg
func.func @attention_block_k_24_f32(%q: tensor<1x2x128x64xf32>, %k: tensor<1x2x256x64xf32>, %v: tensor<1x2x256x64xf32>, %idx: tensor<1x2x2x4xi32>) -> tensor<1x2x128x64xf32> {
  %o = tok.attention %q, %k, %v block_indices(%idx : tensor<1x2x2x4xi32>) {block_k = 24 : i64, block_q = 64 : i64, causal} : (tensor<1x2x128x64xf32>, tensor<1x2x256x64xf32>, tensor<1x2x256x64xf32>) -> tensor<1x2x128x64xf32>
  return %o : tensor<1x2x128x64xf32>
}

// -----

// Sparse paged decode: the split-KV driver keeps one tile per (key chunk,
// kv head) (not one per chunk covering every head: the lists differ per
// head); each tile reads its head's count, walks the [B, Hkv, MaxSel] list,
// skips repeats, and visits only the listed blocks inside its chunk; the
// chunks are merged afterwards. No loop over every key block remains.
// CHECK-LABEL: func.func @paged_block_lists_decode_f32
// CHECK-SAME:    %[[INDICES:[^:]*]]: tensor<1x8x?xi32>, %[[COUNTS:[^:]*]]: tensor<1x8xi32>)
// CHECK-NOT:   tok.paged_attention
// CHECK:       scf.forall (%{{.*}}, %[[KVH:.*]]) in (%{{.*}}, 8)
// CHECK:         tensor.extract %[[COUNTS]][%c0, %[[KVH]]] : tensor<1x8xi32>
// CHECK:         scf.for %[[ENTRY:.*]] = %c0 to %{{.*}} step %c1
// CHECK:           %[[ID:.*]] = tensor.extract %[[INDICES]][%c0, %[[KVH]], %[[ENTRY]]] : tensor<1x8x?xi32>
// CHECK:           scf.for %[[EARLIER:.*]] = %c0 to %[[ENTRY]] step %c1 iter_args(%{{.*}} = %false) -> (i1)
// CHECK:             tensor.extract %[[INDICES]][%c0, %[[KVH]], %[[EARLIER]]]
// CHECK:             arith.cmpi eq, %{{.*}}, %[[ID]] : i32
// CHECK-NOT:     tok.key_blocks = "interior"
// CHECK:         } {tok.key_blocks = "listed"}
// CHECK:       scf.forall (%{{.*}}) in (8)
// REMARK-AVX512-NOT: left for convert-tok-to-linalg
// REMARK-AVX2-NOT: left for convert-tok-to-linalg
func.func @paged_block_lists_decode_f32(%q: tensor<1x32x1x128xf32>, %kc: tensor<?x16x8x128xf32>, %vc: tensor<?x16x8x128xf32>, %table: tensor<1x?xi32>, %lens: tensor<1xi32>, %idx: tensor<1x8x?xi32>, %cnt: tensor<1x8xi32>) -> tensor<1x32x1x128xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<1x8x?xi32>) block_counts(%cnt : tensor<1x8xi32>) {block_k = 64 : i64} : (tensor<1x32x1x128xf32>, tensor<?x16x8x128xf32>, tensor<?x16x8x128xf32>, tensor<1x?xi32>, tensor<1xi32>) -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}

// -----

// Paged lists of 24-row blocks: as for tok.attention, AVX-512 leaves them
// to the reference lowering, AVX2 tiles them by 8 keys.
// REMARK-AVX512: remark: tok-tile-attention: left for convert-tok-to-linalg: block_k 24 and block-keys 64 share no multiple of the f32 lanes 16
func.func @paged_block_k_24_f32(%q: tensor<2x4x1x64xf32>, %kc: tensor<64x16x2x64xf32>, %vc: tensor<64x16x2x64xf32>, %table: tensor<2x32xi32>, %lens: tensor<2xi32>, %idx: tensor<2x2x4xi32>) -> tensor<2x4x1x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<2x2x4xi32>) {block_k = 24 : i64} : (tensor<2x4x1x64xf32>, tensor<64x16x2x64xf32>, tensor<64x16x2x64xf32>, tensor<2x32xi32>, tensor<2xi32>) -> tensor<2x4x1x64xf32>
  return %o : tensor<2x4x1x64xf32>
}
