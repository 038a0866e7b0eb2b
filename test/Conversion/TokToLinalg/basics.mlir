// RUN: tokamak-opt %s --convert-tok-to-linalg --split-input-file | FileCheck %s

// Linear with bias on a 3-D f16 input with a dynamic sequence: collapse to
// [M, K], transposed-B matmul into a bias-seeded f32 accumulator, truncate,
// expand back.
// CHECK-LABEL: func.func @linear_bias_3d_f16
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x?x16xf16>, %[[W:[^:]+]]: tensor<8x16xf16>, %[[B:[^:]+]]: tensor<8xf16>)
// CHECK:     %[[S:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<2x?x16xf16>
// CHECK:     %[[X2:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x?x16xf16> into tensor<?x16xf16>
// CHECK:     %[[ACC:.+]] = linalg.generic {{.*}} ins(%[[B]] : tensor<8xf16>) outs(%{{.+}} : tensor<?x8xf32>)
// CHECK:     %[[MM:.+]] = linalg.matmul indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}] ins(%[[X2]], %[[W]] : tensor<?x16xf16>, tensor<8x16xf16>) outs(%[[ACC]] : tensor<?x8xf32>) -> tensor<?x8xf32>
// CHECK:     %[[T:.+]] = linalg.generic {{.*}} ins(%[[MM]] : tensor<?x8xf32>) outs(%{{.+}} : tensor<?x8xf16>)
// CHECK:     %[[Y:.+]] = tensor.expand_shape %[[T]] {{\[}}[0, 1], [2]] output_shape [2, %[[S]], 8] : tensor<?x8xf16> into tensor<2x?x8xf16>
// CHECK:     return %[[Y]]
func.func @linear_bias_3d_f16(%x: tensor<2x?x16xf16>, %w: tensor<8x16xf16>, %b: tensor<8xf16>) -> tensor<2x?x8xf16> {
  %y = tok.linear %x, %w bias(%b : tensor<8xf16>) : (tensor<2x?x16xf16>, tensor<8x16xf16>) -> tensor<2x?x8xf16>
  return %y : tensor<2x?x8xf16>
}

// -----

// 2-D f32 linear without bias: no reshapes, a zero-filled accumulator, no
// conversion.
// CHECK-DAG: #[[$MA:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$MB:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$MC:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @linear_2d_f32
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x16xf32>, %[[W:[^:]+]]: tensor<8x16xf32>)
// CHECK:     %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<4x8xf32>)
// CHECK:     %[[MM:.+]] = linalg.matmul indexing_maps = [#[[$MA]], #[[$MB]], #[[$MC]]] ins(%[[X]], %[[W]] : tensor<4x16xf32>, tensor<8x16xf32>) outs(%[[ZERO]] : tensor<4x8xf32>)
// CHECK:     return %[[MM]] : tensor<4x8xf32>
func.func @linear_2d_f32(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) -> tensor<4x8xf32> {
  %y = tok.linear %x, %w : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Two dynamic row dims: a linalg.generic contraction over the 3-D input (no
// collapse/expand with several dynamic sizes in one group).
// CHECK-DAG: #[[$XMAP:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$WMAP:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[$YMAP:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @linear_dynamic_rows_f32
// CHECK-SAME: (%[[X:[^:]+]]: tensor<?x?x16xf32>, %[[W:[^:]+]]: tensor<8x16xf32>, %[[B:[^:]+]]: tensor<8xf32>)
// CHECK-NOT: tensor.collapse_shape
// CHECK:     %[[ACC:.+]] = linalg.generic {{.*}} ins(%[[B]] : tensor<8xf32>) outs(%{{.+}} : tensor<?x?x8xf32>)
// CHECK:     %[[Y:.+]] = linalg.generic {indexing_maps = [#[[$XMAP]], #[[$WMAP]], #[[$YMAP]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[X]], %[[W]] : tensor<?x?x16xf32>, tensor<8x16xf32>) outs(%[[ACC]] : tensor<?x?x8xf32>)
// CHECK-NOT: tensor.expand_shape
// CHECK:     return %[[Y]]
func.func @linear_dynamic_rows_f32(%x: tensor<?x?x16xf32>, %w: tensor<8x16xf32>, %b: tensor<8xf32>) -> tensor<?x?x8xf32> {
  %y = tok.linear %x, %w bias(%b : tensor<8xf32>) : (tensor<?x?x16xf32>, tensor<8x16xf32>) -> tensor<?x?x8xf32>
  return %y : tensor<?x?x8xf32>
}

// -----

// RMS norm: Σx² over the last dim in f32, then x·rsqrt(Σx²/D + eps)·w.
// CHECK-LABEL: func.func @rms_norm_bf16
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x?x16xbf16>, %[[W:[^:]+]]: tensor<16xbf16>)
// CHECK:     %[[SQ:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<2x?x16xbf16>) outs(%{{.+}} : tensor<2x?xf32>)
// CHECK:       arith.mulf
// CHECK:       arith.addf
// CHECK:     %[[INVD:.+]] = arith.constant 6.250000e-02 : f32
// CHECK:     %[[Y:.+]] = linalg.generic {{.*}} ins(%[[X]], %[[SQ]], %[[W]] : {{.*}}) outs(%{{.+}} : tensor<2x?x16xbf16>)
// CHECK:       %[[MEAN:.+]] = arith.mulf %{{.+}}, %[[INVD]] : f32
// CHECK:       %[[EPS:.+]] = arith.constant 9.99999997E-7 : f32
// CHECK:       %[[VAR:.+]] = arith.addf %[[MEAN]], %[[EPS]] : f32
// CHECK:       math.rsqrt %[[VAR]] : f32
// CHECK:       arith.truncf %{{.+}} : f32 to bf16
// CHECK:     return %[[Y]]
func.func @rms_norm_bf16(%x: tensor<2x?x16xbf16>, %w: tensor<16xbf16>) -> tensor<2x?x16xbf16> {
  %y = tok.rms_norm %x, %w : (tensor<2x?x16xbf16>, tensor<16xbf16>) -> tensor<2x?x16xbf16>
  return %y : tensor<2x?x16xbf16>
}

// -----

// Layer norm: mean, then the biased variance of the centred input, then
// (x − mean)·rsqrt(var + eps)·w + b.
// CHECK-LABEL: func.func @layer_norm_f32
// CHECK-SAME: (%[[X:[^:]+]]: tensor<3x16xf32>, %[[W:[^:]+]]: tensor<16xf32>, %[[B:[^:]+]]: tensor<16xf32>)
// CHECK:     %[[SUM:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<3x16xf32>)
// CHECK:     %[[MEAN:.+]] = linalg.generic {{.*}} outs(%[[SUM]] : tensor<3xf32>)
// CHECK:     %[[VAR:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MEAN]] : tensor<3x16xf32>, tensor<3xf32>)
// CHECK:       arith.subf
// CHECK:     %[[Y:.+]] = linalg.generic {{.*}} ins(%[[X]], %[[VAR]], %[[W]], %[[B]], %[[MEAN]] : {{.*}})
// CHECK:       %[[EPS:.+]] = arith.constant 1.000000e-03 : f32
// CHECK:       arith.addf %{{.+}}, %[[EPS]] : f32
// CHECK:     return %[[Y]]
func.func @layer_norm_f32(%x: tensor<3x16xf32>, %w: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<3x16xf32> {
  %y = tok.layer_norm %x, %w, %b {eps = 1.0e-3 : f32} : (tensor<3x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<3x16xf32>
  return %y : tensor<3x16xf32>
}

// -----

// NeoX rope on a partial rotary_dim: the halves [0, 4) and [4, 8) rotate,
// channels [8, 16) pass through (the result is inserted into the input).
// CHECK-LABEL: func.func @rope_neox_partial_f32
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x2x?x16xf32>, %[[P:[^:]+]]: tensor<1x?xi32>)
// CHECK:     %[[X1:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, %{{.+}}, 4] [1, 1, 1, 1]
// CHECK:     %[[X2:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 4] [1, 2, %{{.+}}, 4] [1, 1, 1, 1]
// CHECK:     %[[R:.+]]:2 = linalg.generic {{.*}} ins(%[[X1]], %[[X2]], %[[P]] : tensor<1x2x?x4xf32>, tensor<1x2x?x4xf32>, tensor<1x?xi32>)
// CHECK:       linalg.index 3
// CHECK:       math.powf
// CHECK:       math.cos
// CHECK:       math.sin
// CHECK:     %[[Y1:.+]] = tensor.insert_slice %[[R]]#0 into %[[X]][0, 0, 0, 0] [1, 2, %{{.+}}, 4] [1, 1, 1, 1]
// CHECK:     %[[Y:.+]] = tensor.insert_slice %[[R]]#1 into %[[Y1]][0, 0, 0, 4] [1, 2, %{{.+}}, 4] [1, 1, 1, 1]
// CHECK:     return %[[Y]]
func.func @rope_neox_partial_f32(%x: tensor<1x2x?x16xf32>, %p: tensor<1x?xi32>) -> tensor<1x2x?x16xf32> {
  %y = tok.rope %x, %p {rotary_dim = 8 : i64} : (tensor<1x2x?x16xf32>, tensor<1x?xi32>) -> tensor<1x2x?x16xf32>
  return %y : tensor<1x2x?x16xf32>
}

// -----

// GPT-J rope: even and odd lanes as stride-2 slices.
// CHECK-LABEL: func.func @rope_interleaved_f16
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x2x5x8xf16>, %[[P:[^:]+]]: tensor<1x5xi32>)
// CHECK:     %[[EVEN:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, 5, 4] [1, 1, 1, 2]
// CHECK:     %[[ODD:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 1] [1, 2, 5, 4] [1, 1, 1, 2]
// CHECK:     %[[R:.+]]:2 = linalg.generic {{.*}} ins(%[[EVEN]], %[[ODD]], %[[P]] : {{.*}}) outs(%{{.+}}, %{{.+}} : tensor<1x2x5x4xf16>, tensor<1x2x5x4xf16>)
// CHECK:     %[[Y1:.+]] = tensor.insert_slice %[[R]]#0 into %[[X]][0, 0, 0, 0] [1, 2, 5, 4] [1, 1, 1, 2]
// CHECK:     %[[Y:.+]] = tensor.insert_slice %[[R]]#1 into %[[Y1]][0, 0, 0, 1] [1, 2, 5, 4] [1, 1, 1, 2]
// CHECK:     return %[[Y]]
func.func @rope_interleaved_f16(%x: tensor<1x2x5x8xf16>, %p: tensor<1x5xi32>) -> tensor<1x2x5x8xf16> {
  %y = tok.rope %x, %p {interleaved, theta = 500000.0 : f32} : (tensor<1x2x5x8xf16>, tensor<1x5xi32>) -> tensor<1x2x5x8xf16>
  return %y : tensor<1x2x5x8xf16>
}

// -----

// GLU with the default silu: act(first half) · second half.
// CHECK-LABEL: func.func @glu_silu_f32
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x?x16xf32>)
// CHECK:     %[[A:.+]] = tensor.extract_slice %[[X]][0, 0, 0] [2, %{{.+}}, 8] [1, 1, 1]
// CHECK:     %[[G:.+]] = tensor.extract_slice %[[X]][0, 0, 8] [2, %{{.+}}, 8] [1, 1, 1]
// CHECK:     %[[Y:.+]] = linalg.generic {{.*}} ins(%[[A]], %[[G]] : tensor<2x?x8xf32>, tensor<2x?x8xf32>)
// CHECK:       math.exp
// CHECK:       arith.mulf
// CHECK:     return %[[Y]] : tensor<2x?x8xf32>
func.func @glu_silu_f32(%x: tensor<2x?x16xf32>) -> tensor<2x?x8xf32> {
  %y = tok.glu %x : (tensor<2x?x16xf32>) -> tensor<2x?x8xf32>
  return %y : tensor<2x?x8xf32>
}

// -----

// Exact gelu in bf16: extend, 0.5·x·(1 + erf(x/√2)), truncate.
// CHECK-LABEL: func.func @activation_gelu_bf16
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x?x16xbf16>)
// CHECK:     %[[Y:.+]] = linalg.generic {{.*}} ins(%[[X]] : tensor<2x?x16xbf16>) outs(%{{.+}} : tensor<2x?x16xbf16>)
// CHECK:       arith.extf %{{.+}} : bf16 to f32
// CHECK:       math.erf
// CHECK:       arith.truncf %{{.+}} : f32 to bf16
// CHECK:     return %[[Y]]
func.func @activation_gelu_bf16(%x: tensor<2x?x16xbf16>) -> tensor<2x?x16xbf16> {
  %y = tok.activation %x {kind = "gelu"} : (tensor<2x?x16xbf16>) -> tensor<2x?x16xbf16>
  return %y : tensor<2x?x16xbf16>
}

// -----

// Embedding with i64 ids: a generic over [ids..., E] gathering table rows
// (ids clamped into the table).
// CHECK-LABEL: func.func @embedding_i64_f32
// CHECK-SAME: (%[[IDS:[^:]+]]: tensor<2x?xi64>, %[[TABLE:[^:]+]]: tensor<10x4xf32>)
// CHECK-DAG: %[[LAST:.+]] = arith.constant 9 : index
// CHECK:     %[[Y:.+]] = linalg.generic {{.*}} ins(%[[IDS]] : tensor<2x?xi64>) outs(%{{.+}} : tensor<2x?x4xf32>)
// CHECK-NEXT: ^bb0(%[[ID:.+]]: i64, %{{.+}}: f32):
// CHECK:       %[[ROW:.+]] = arith.index_cast %[[ID]] : i64 to index
// CHECK:       %[[LO:.+]] = arith.maxsi %[[ROW]], %{{.+}} : index
// CHECK:       %[[HI:.+]] = arith.minsi %[[LO]], %[[LAST]] : index
// CHECK:       %[[COL:.+]] = linalg.index 2 : index
// CHECK:       %[[V:.+]] = tensor.extract %[[TABLE]][%[[HI]], %[[COL]]] : tensor<10x4xf32>
// CHECK:       linalg.yield %[[V]] : f32
// CHECK:     return %[[Y]]
func.func @embedding_i64_f32(%ids: tensor<2x?xi64>, %t: tensor<10x4xf32>) -> tensor<2x?x4xf32> {
  %e = tok.embedding %ids, %t : (tensor<2x?xi64>, tensor<10x4xf32>) -> tensor<2x?x4xf32>
  return %e : tensor<2x?x4xf32>
}
