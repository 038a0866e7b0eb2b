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
