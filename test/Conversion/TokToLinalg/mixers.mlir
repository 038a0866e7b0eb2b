// RUN: tokamak-opt %s --convert-tok-to-linalg --split-input-file | FileCheck %s

// Causal depthwise conv with init state, bias and silu in bf16: the window
// [initᵀ ; x] feeds a tap reduction into an f32 bias-seeded accumulator; the
// final state is the window's last K-1 rows, transposed back.
// CHECK-DAG: #[[$WIN:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 + d3, d2)>
// CHECK-DAG: #[[$TAPS:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-LABEL: func.func @conv1d_full_bf16
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x?x6xbf16>, %[[W:[^:]+]]: tensor<6x4xbf16>, %[[BIAS:[^:]+]]: tensor<6xbf16>, %[[INIT:[^:]+]]: tensor<2x6x3xbf16>)
// CHECK:     %[[L:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<2x?x6xbf16>
// CHECK:     %[[HEAD:.+]] = linalg.generic {{.*}} ins(%[[INIT]] : tensor<2x6x3xbf16>) outs(%{{.+}} : tensor<2x3x6xbf16>)
// CHECK:     %[[WLEN:.+]] = arith.addi %[[L]], %{{.+}} : index
// CHECK:     %[[EMPTY:.+]] = tensor.empty(%[[WLEN]]) : tensor<2x?x6xbf16>
// CHECK:     %[[W0:.+]] = tensor.insert_slice %[[HEAD]] into %[[EMPTY]][0, 0, 0] [2, 3, 6]
// CHECK:     %[[WINDOW:.+]] = tensor.insert_slice %[[X]] into %[[W0]][0, 3, 0] [2, %{{.+}}, 6]
// CHECK:     %[[ACC0:.+]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<6xbf16>) outs(%{{.+}} : tensor<2x?x6xf32>)
// CHECK:     %[[ACC:.+]] = linalg.generic {indexing_maps = [#[[$WIN]], #[[$TAPS]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[WINDOW]], %[[W]] : tensor<2x?x6xbf16>, tensor<6x4xbf16>) outs(%[[ACC0]] : tensor<2x?x6xf32>)
// CHECK:     %[[Y:.+]] = linalg.generic {{.*}} ins(%[[ACC]] : tensor<2x?x6xf32>) outs(%{{.+}} : tensor<2x?x6xbf16>)
// CHECK:       math.exp
// CHECK:       arith.truncf
// CHECK:     %[[LAST:.+]] = tensor.extract_slice %[[WINDOW]][0, %[[L]], 0] [2, 3, 6]
// CHECK:     %[[ST:.+]] = linalg.generic {{.*}} ins(%[[LAST]] : tensor<2x3x6xbf16>) outs(%{{.+}} : tensor<2x6x3xbf16>)
// CHECK:     return %[[Y]], %[[ST]]
func.func @conv1d_full_bf16(%x: tensor<2x?x6xbf16>, %w: tensor<6x4xbf16>, %b: tensor<6xbf16>, %s0: tensor<2x6x3xbf16>) -> (tensor<2x?x6xbf16>, tensor<2x6x3xbf16>) {
  %y, %st = tok.conv1d %x, %w bias(%b : tensor<6xbf16>) init(%s0 : tensor<2x6x3xbf16>) {activation = "silu"} : (tensor<2x?x6xbf16>, tensor<6x4xbf16>) -> (tensor<2x?x6xbf16>, tensor<2x6x3xbf16>)
  return %y, %st : tensor<2x?x6xbf16>, tensor<2x6x3xbf16>
}

// -----

// Plain f32 conv without init: zero history, zero accumulator, no epilogue.
// CHECK-LABEL: func.func @conv1d_plain_f32
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x8x4xf32>, %[[W:[^:]+]]: tensor<4x4xf32>)
// CHECK:     %[[HEAD:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x3x4xf32>)
// CHECK:     %[[W0:.+]] = tensor.insert_slice %[[HEAD]] into %{{.+}}[0, 0, 0] [1, 3, 4]
// CHECK:     %[[WINDOW:.+]] = tensor.insert_slice %[[X]] into %[[W0]][0, 3, 0] [1, 8, 4]
// CHECK:     %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x8x4xf32>)
// CHECK:     %[[Y:.+]] = linalg.generic {{.*}} ins(%[[WINDOW]], %[[W]] : tensor<1x11x4xf32>, tensor<4x4xf32>) outs(%[[ZERO]] : tensor<1x8x4xf32>)
// CHECK:     return %[[Y]] : tensor<1x8x4xf32>
func.func @conv1d_plain_f32(%x: tensor<1x8x4xf32>, %w: tensor<4x4xf32>) -> tensor<1x8x4xf32> {
  %y = tok.conv1d %x, %w : (tensor<1x8x4xf32>, tensor<4x4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

// PoolFormer mixer, kernel 3: zero-pad by 1, sum the 3x3 window, divide by
// the in-bounds tap count (computed from linalg.index) and subtract x.
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 + d5, d3)>
// CHECK-LABEL: func.func @pool2d_k3_subtract_f32
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x5x7x3xf32>)
// CHECK:     %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x7x9x3xf32>)
// CHECK:     %[[PAD:.+]] = tensor.insert_slice %[[X]] into %[[ZERO]][0, 1, 1, 0] [1, 5, 7, 3] [1, 1, 1, 1]
// CHECK:     %[[KWIN:.+]] = tensor.empty() : tensor<3x3xf32>
// CHECK:     %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[$IN]], #{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[PAD]], %[[KWIN]] : tensor<1x7x9x3xf32>, tensor<3x3xf32>)
// CHECK:     %[[Y:.+]] = linalg.generic {{.*}} ins(%[[SUM]], %[[X]] : tensor<1x5x7x3xf32>, tensor<1x5x7x3xf32>)
// CHECK:       linalg.index 1
// CHECK:       arith.minsi
// CHECK:       arith.maxsi
// CHECK:       linalg.index 2
// CHECK:       arith.divf
// CHECK:       arith.subf
// CHECK:     return %[[Y]]
func.func @pool2d_k3_subtract_f32(%x: tensor<1x5x7x3xf32>) -> tensor<1x5x7x3xf32> {
  %p = tok.pool2d %x {kernel = 3 : i64, subtract_input} : (tensor<1x5x7x3xf32>) -> tensor<1x5x7x3xf32>
  return %p : tensor<1x5x7x3xf32>
}

// -----

// Kernel 5 with dynamic spatial dims in f16: pad by 2 on each side.
// CHECK-LABEL: func.func @pool2d_k5_f16
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x?x?x4xf16>)
// CHECK:     %[[PAD:.+]] = tensor.insert_slice %[[X]] into %{{.+}}[0, 2, 2, 0] [1, %{{.+}}, %{{.+}}, 4] [1, 1, 1, 1] : tensor<1x?x?x4xf16> into tensor<1x?x?x4xf16>
// CHECK:     tensor.empty() : tensor<5x5xf32>
// CHECK:     %[[Y:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<1x?x?x4xf16>)
// CHECK-NOT:   arith.subf
// CHECK:       arith.truncf
// CHECK:     return %[[Y]]
func.func @pool2d_k5_f16(%x: tensor<1x?x?x4xf16>) -> tensor<1x?x?x4xf16> {
  %p = tok.pool2d %x {kernel = 5 : i64} : (tensor<1x?x?x4xf16>) -> tensor<1x?x?x4xf16>
  return %p : tensor<1x?x?x4xf16>
}
