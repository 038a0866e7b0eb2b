// RUN: tokamak-opt %s --split-input-file --tokamak-fuse-elementwise | FileCheck %s

// A single-use elementwise producer is fused into its elementwise consumer:
// one generic computes exp(a) * b.
// CHECK-LABEL: func.func @exp_mul_chain_f32
// CHECK-SAME:    (%[[A:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<8x16xf32>)
// CHECK:         %[[FUSED:.*]] = linalg.generic
// CHECK-SAME:      ins(%[[A]], %[[B]] : tensor<8x16xf32>, tensor<8x16xf32>)
// CHECK:         ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[EXP:.*]] = math.exp %[[X]] : f32
// CHECK:           %[[MUL:.*]] = arith.mulf %[[EXP]], %[[Y]] : f32
// CHECK:           linalg.yield %[[MUL]] : f32
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[FUSED]]
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @exp_mul_chain_f32(%a: tensor<8x16xf32>, %b: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %init = tensor.empty() : tensor<8x16xf32>
  %exp = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<8x16xf32>) outs(%init : tensor<8x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<8x16xf32>
  %mul = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%exp, %b : tensor<8x16xf32>, tensor<8x16xf32>) outs(%init : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %z = arith.mulf %x, %y : f32
    linalg.yield %z : f32
  } -> tensor<8x16xf32>
  return %mul : tensor<8x16xf32>
}

// -----

// A consumer that reads the producer transposed (a permutation, every
// element once) still fuses; the fused generic reads a through the
// transposed map.
// CHECK-DAG:   #[[$TRANSPOSED:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG:   #[[$IDENTITY:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @exp_mul_transposed_f32
// CHECK-SAME:    (%[[A:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16x8xf32>)
// CHECK:         %[[FUSED:.*]] = linalg.generic {indexing_maps = [#[[$TRANSPOSED]], #[[$IDENTITY]], #[[$IDENTITY]]]
// CHECK-SAME:      ins(%[[A]], %[[B]] : tensor<8x16xf32>, tensor<16x8xf32>)
// CHECK:           math.exp
// CHECK:           arith.mulf
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[FUSED]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#transposed = affine_map<(d0, d1) -> (d1, d0)>
func.func @exp_mul_transposed_f32(%a: tensor<8x16xf32>, %b: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %init = tensor.empty() : tensor<8x16xf32>
  %exp = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<8x16xf32>) outs(%init : tensor<8x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<8x16xf32>
  %init2 = tensor.empty() : tensor<16x8xf32>
  %mul = linalg.generic {indexing_maps = [#transposed, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%exp, %b : tensor<8x16xf32>, tensor<16x8xf32>) outs(%init2 : tensor<16x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %z = arith.mulf %x, %y : f32
    linalg.yield %z : f32
  } -> tensor<16x8xf32>
  return %mul : tensor<16x8xf32>
}

// -----

// A reshape between producer and consumer is folded by expansion: the
// producer moves behind the expand_shape and fuses into the 2-d consumer.
// CHECK-LABEL: func.func @exp_reshape_mul_f32
// CHECK-SAME:    (%[[A:.*]]: tensor<64xf32>, %[[B:.*]]: tensor<4x16xf32>)
// CHECK:         %[[EXPANDED:.*]] = tensor.expand_shape %[[A]] {{\[\[}}0, 1]] output_shape [4, 16] : tensor<64xf32> into tensor<4x16xf32>
// CHECK:         %[[FUSED:.*]] = linalg.generic
// CHECK-SAME:      ins(%[[EXPANDED]], %[[B]] : tensor<4x16xf32>, tensor<4x16xf32>)
// CHECK:           math.exp
// CHECK:           arith.mulf
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[FUSED]]
#id1 = affine_map<(d0) -> (d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @exp_reshape_mul_f32(%a: tensor<64xf32>, %b: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %init = tensor.empty() : tensor<64xf32>
  %exp = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%a : tensor<64xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<64xf32>
  %reshaped = tensor.expand_shape %exp [[0, 1]] output_shape [4, 16] : tensor<64xf32> into tensor<4x16xf32>
  %init2 = tensor.empty() : tensor<4x16xf32>
  %mul = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%reshaped, %b : tensor<4x16xf32>, tensor<4x16xf32>) outs(%init2 : tensor<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %z = arith.mulf %x, %y : f32
    linalg.yield %z : f32
  } -> tensor<4x16xf32>
  return %mul : tensor<4x16xf32>
}

// -----

// A producer with a second use is not fused (fusing would compute it twice).
// CHECK-LABEL: func.func @exp_two_uses_f32
// CHECK-SAME:    (%[[A:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<8x16xf32>)
// CHECK:         %[[EXP:.*]] = linalg.generic
// CHECK-SAME:      ins(%[[A]] : tensor<8x16xf32>)
// CHECK:         %[[MUL:.*]] = linalg.generic
// CHECK-SAME:      ins(%[[EXP]], %[[B]] : tensor<8x16xf32>, tensor<8x16xf32>)
// CHECK-NOT:       math.exp
// CHECK:         return %[[MUL]], %[[EXP]]
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @exp_two_uses_f32(%a: tensor<8x16xf32>, %b: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %init = tensor.empty() : tensor<8x16xf32>
  %exp = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<8x16xf32>) outs(%init : tensor<8x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<8x16xf32>
  %mul = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%exp, %b : tensor<8x16xf32>, tensor<8x16xf32>) outs(%init : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %z = arith.mulf %x, %y : f32
    linalg.yield %z : f32
  } -> tensor<8x16xf32>
  return %mul, %exp : tensor<8x16xf32>, tensor<8x16xf32>
}

// -----

// tok.lse_merge with its lse unused (issue 14), as convert-tok-to-linalg
// lowers it: the merged lse [B, H, S] is read through a broadcast over the
// head dim by the output generic, so it stays a separate generic (fusing it
// would recompute its exp/log chain for each of the 64 elements of a row).
// CHECK-DAG:   #[[$ROWS:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[$ELEMENTS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG:   #[[$BROADCAST:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @lse_merge_output_only_f32
// CHECK-SAME:    (%[[O1:.*]]: tensor<1x8x128x64xf32>, %[[L1:.*]]: tensor<1x8x128xf32>, %[[O2:.*]]: tensor<1x8x128x64xf32>, %[[L2:.*]]: tensor<1x8x128xf32>)
// CHECK:         %[[LSE:.*]] = linalg.generic {indexing_maps = [#[[$ROWS]], #[[$ROWS]], #[[$ROWS]]]
// CHECK-SAME:      ins(%[[L1]], %[[L2]] : tensor<1x8x128xf32>, tensor<1x8x128xf32>)
// CHECK:           math.log
// CHECK:         %[[OUT:.*]] = linalg.generic {indexing_maps = [#[[$ELEMENTS]], #[[$BROADCAST]], #[[$ELEMENTS]], #[[$BROADCAST]], #[[$BROADCAST]], #[[$ELEMENTS]]]
// CHECK-SAME:      ins(%[[O1]], %[[L1]], %[[O2]], %[[L2]], %[[LSE]] : tensor<1x8x128x64xf32>, tensor<1x8x128xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128xf32>, tensor<1x8x128xf32>)
// CHECK-NOT:       math.log
// CHECK:         return %[[OUT]]
#rows = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#elements = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#broadcast = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
func.func @lse_merge_output_only_f32(%o1: tensor<1x8x128x64xf32>, %l1: tensor<1x8x128xf32>, %o2: tensor<1x8x128x64xf32>, %l2: tensor<1x8x128xf32>) -> tensor<1x8x128x64xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %lse_init = tensor.empty() : tensor<1x8x128xf32>
  %lse = linalg.generic {indexing_maps = [#rows, #rows, #rows], iterator_types = ["parallel", "parallel", "parallel"]} ins(%l1, %l2 : tensor<1x8x128xf32>, tensor<1x8x128xf32>) outs(%lse_init : tensor<1x8x128xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %max = arith.maximumf %a, %b : f32
    %is_ninf = arith.cmpf oeq, %max, %ninf : f32
    %m = arith.select %is_ninf, %zero, %max : f32
    %da = arith.subf %a, %m : f32
    %ea = math.exp %da : f32
    %db = arith.subf %b, %m : f32
    %eb = math.exp %db : f32
    %sum = arith.addf %ea, %eb : f32
    %log = math.log %sum : f32
    %r = arith.addf %m, %log : f32
    linalg.yield %r : f32
  } -> tensor<1x8x128xf32>
  %out_init = tensor.empty() : tensor<1x8x128x64xf32>
  %out = linalg.generic {indexing_maps = [#elements, #broadcast, #elements, #broadcast, #broadcast, #elements], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%o1, %l1, %o2, %l2, %lse : tensor<1x8x128x64xf32>, tensor<1x8x128xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128xf32>, tensor<1x8x128xf32>) outs(%out_init : tensor<1x8x128x64xf32>) {
  ^bb0(%x1: f32, %a: f32, %x2: f32, %b: f32, %l: f32, %out: f32):
    %da = arith.subf %a, %l : f32
    %ea = math.exp %da : f32
    %wa = arith.mulf %ea, %x1 : f32
    %db = arith.subf %b, %l : f32
    %eb = math.exp %db : f32
    %wb = arith.mulf %eb, %x2 : f32
    %sum = arith.addf %wa, %wb : f32
    %empty_row = arith.cmpf oeq, %l, %ninf : f32
    %r = arith.select %empty_row, %zero, %sum : f32
    linalg.yield %r : f32
  } -> tensor<1x8x128x64xf32>
  return %out : tensor<1x8x128x64xf32>
}
