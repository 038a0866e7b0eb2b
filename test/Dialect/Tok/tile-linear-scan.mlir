// RUN: tokamak-opt %s --split-input-file --tok-tile-linear-scan="cpu=znver3 chunk-size=16" | FileCheck %s
// RUN: tokamak-opt %s --split-input-file --tok-tile-linear-scan="cpu=znver4" | FileCheck %s --check-prefix=AVX512
// RUN: not tokamak-opt %s --split-input-file --tok-tile-linear-scan="chunk-size=24" 2>&1 | FileCheck %s --check-prefix=OPTS

// Scalar decay, scale and final state, 16-step chunks: one task per (b, h)
// with the f32 state and the chunk's rows in stack buffers; per chunk the
// rows are loaded (zeros past L), G = cumsum(g), K is transposed in 8x8
// blocks (AVX2 lanes), A = Q Kᵀ on the causal blocks times exp(G_i - G_j)
// (lanes past the diagonal selected away), then O = Q̃ S + A V (prefetching
// the next chunk's rows) and S = Γ_C S + K_endᵀ V by outer-product
// micro-kernels of 4 rows x 2 ymm vectors (8 accumulators: 16 ymm
// registers); the scaled rows go to the output.

// CHECK-LABEL: func.func @linear_scan_scalar_decay_f32
// CHECK-SAME:    %[[Q:.*]]: tensor<1x2x?x16xf32>, %[[K:.*]]: tensor<1x2x?x16xf32>, %[[V:.*]]: tensor<1x2x?x16xf32>, %[[G:.*]]: tensor<1x2x?xf32>
// CHECK-NOT:     tok.linear_scan
// CHECK:         %[[RES:.*]]:2 = scf.forall ({{.*}}) in (1, 2) shared_outs(%[[OS:.*]] = %{{.*}}, %[[SS:.*]] = %{{.*}})
// CHECK:           %[[OT:.*]] = tensor.extract_slice %[[OS]]
// CHECK:           %[[S:.*]] = memref.alloca() {alignment = 64 : i64} : memref<16x16xf32>
// CHECK:           %[[QB:.*]] = memref.alloca() {alignment = 64 : i64} : memref<16x16xf32>
// CHECK:           %[[KB:.*]] = memref.alloca() {alignment = 64 : i64} : memref<16x16xf32>
// CHECK:           %[[GB:.*]] = memref.alloca() {alignment = 64 : i64} : memref<16xf32>
// CHECK:           scf.for %[[T0:.*]] = %{{.*}} to %{{.*}} step %c16{{.*}} iter_args(%[[CUR:.*]] = %[[OT]])
// CHECK:             scf.for
// CHECK:               vector.transfer_read %[[Q]]
// CHECK:               vector.store %{{.*}}, %[[QB]]
// CHECK:               tensor.extract %[[G]]
// CHECK:             scf.for
// CHECK:             scf.for {{.*}} -> (f32)
// CHECK:             vector.transfer_read %[[KB]]{{.*}} : memref<16x16xf32>, vector<8x8xf32>
// CHECK:             vector.transpose
// CHECK:             %{{.*}}:8 = scf.for {{.*}} -> (vector<8xf32>,
// CHECK-COUNT-8:       vector.fma
// CHECK:             math.roundeven
// CHECK:             arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<8xi1>, vector<8xf32>
// CHECK:             %{{.*}}:8 = scf.for {{.*}} -> (vector<8xf32>,
// CHECK:               memref.prefetch
// CHECK-COUNT-8:       vector.fma
// CHECK:             %{{.*}}:8 = scf.for {{.*}} -> (vector<8xf32>,
// CHECK-COUNT-8:       vector.fma
// CHECK:             vector.store %{{.*}}, %[[S]]
// CHECK:             scf.for {{.*}} iter_args(%{{.*}} = %[[CUR]])
// CHECK:               arith.mulf
// CHECK:               vector.transfer_write {{.*}} : vector<8xf32>, tensor<1x1x?x16xf32>
// CHECK:           scf.for
// CHECK:             vector.load %[[S]]
// CHECK:             vector.transfer_write {{.*}} : vector<8xf32>, tensor<1x1x16x16xf32>
// CHECK:           scf.forall.in_parallel
// CHECK-COUNT-2:     tensor.parallel_insert_slice
// CHECK:         return %[[RES]]#0, %[[RES]]#1
func.func @linear_scan_scalar_decay_f32(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>, %g: tensor<1x2x?xf32>) -> (tensor<1x2x?x16xf32>, tensor<1x2x16x16xf32>) {
  %o, %s = tok.linear_scan %q, %k, %v decay(%g : tensor<1x2x?xf32>) {scale = 0.25 : f32} : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> (tensor<1x2x?x16xf32>, tensor<1x2x16x16xf32>)
  return %o, %s : tensor<1x2x?x16xf32>, tensor<1x2x16x16xf32>
}

// -----

// The gated delta rule with per-key-channel decay: the chunk's max |G|
// chooses between the factored form (|G| ≤ 40: Q⊙Γ and (K⊙Γ⁻¹)ᵀ, then the
// pseudo-values by a β-scaled correction and forward substitution, row i
// reading rows j < i) and the exact step-by-step recurrence.

// With avx512 (and the default 16-step chunks), the factored form takes
// two exponentials per element of G, Γ and Γ⁻¹, by vscalefps; the exact
// recurrence keeps the generic exponent split.

// AVX512-LABEL: func.func @linear_scan_gated_delta_f32
// AVX512:         memref.alloca() {alignment = 64 : i64} : memref<16x16xf32>
// AVX512:           scf.if
// AVX512:             x86vector.avx512.mask.scalef
// AVX512:             scf.for
// AVX512-COUNT-2:       x86vector.avx512.mask.scalef
// AVX512:             vector.transpose
// AVX512:           } else {
// AVX512-NOT:         x86vector.avx512.mask.scalef
// AVX512:             math.roundeven

// CHECK-LABEL: func.func @linear_scan_gated_delta_f32
// CHECK:         scf.forall
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<16x16xf32>
// CHECK:           scf.for
// CHECK:             %[[MAX:.*]] = vector.reduction <maximumf>
// CHECK:             %[[SAFE:.*]] = arith.cmpf ole, %[[MAX]], %{{.*}} : f32
// CHECK:             scf.if %[[SAFE]] {
// CHECK:               arith.negf
// CHECK:               vector.transpose
// CHECK:               scf.for %[[I:.*]] = %c1{{.*}} to %c16
// CHECK:                 scf.for %{{.*}} = %c0{{.*}} to %[[I]]
// CHECK:                   vector.fma
// CHECK:             } else {
// CHECK:               scf.for
// CHECK:                 math.roundeven
// CHECK:                 scf.for
// CHECK:                 scf.for
func.func @linear_scan_gated_delta_f32(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>, %g: tensor<1x2x?x16xf32>, %beta: tensor<1x2x?xf32>) -> tensor<1x2x?x16xf32> {
  %o = tok.linear_scan %q, %k, %v decay(%g : tensor<1x2x?x16xf32>) beta(%beta : tensor<1x2x?xf32>) {update = "delta"} : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}

// -----

// A dynamic head dimension stays for convert-tok-to-linalg.

// CHECK-LABEL: func.func @linear_scan_dynamic_head_f32
// CHECK:         tok.linear_scan
func.func @linear_scan_dynamic_head_f32(%q: tensor<1x2x?x?xf32>, %k: tensor<1x2x?x?xf32>, %v: tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32> {
  %o = tok.linear_scan %q, %k, %v : (tensor<1x2x?x?xf32>, tensor<1x2x?x?xf32>, tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32>
  return %o : tensor<1x2x?x?xf32>
}

// OPTS: error: tok-tile-linear-scan: expected chunk-size 0 or a multiple of 16 in [16, 128], got 24
