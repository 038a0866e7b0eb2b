// RUN: tokamak-opt %s --split-input-file --tok-tile-topk | FileCheck %s
// RUN: tokamak-opt %s --split-input-file --tok-tile-topk="cpu=znver3" | FileCheck %s --check-prefix=AVX2
// RUN: tokamak-opt %s --split-input-file --tok-tile-topk="remarks=true" --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: tokamak-opt %s --split-input-file --tok-tile-topk="cpu=znver3 remarks=true" --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK3

// Static rows of 256, k = 8, on the default AVX-512 target: one task per
// row; the filter loop carries the candidate count and the threshold key,
// compares 16 keys at once and compress-stores the packed (key, ~index)
// lanes that beat the threshold; when the 32-entry buffer is more than
// half full a merge sort cuts it back to k. No tail vector (256 = 16·16).
// After the final sort, 8 values and indices are written per row.

// CHECK-LABEL: func.func @topk_plain_f32
// CHECK-SAME:    %[[X:.*]]: tensor<4x256xf32>
// CHECK-NOT:     tok.topk
// CHECK:         %[[R:.*]]:2 = scf.forall (%[[ROW:.*]]) in (4) shared_outs(%[[VALS:.*]] = %{{.*}}, %[[IDXS:.*]] = %{{.*}}) -> (tensor<4x8xf32>, tensor<4x8xi32>)
// CHECK:           %[[BUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<32xi64>
// CHECK:           %[[TMP:.*]] = memref.alloca() {alignment = 64 : i64} : memref<32xi64>
// CHECK:           %[[F:.*]]:2 = scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[CNT:.*]] = %{{.*}}, %[[THR:.*]] = %{{.*}}) -> (index, i32)
// CHECK:             vector.transfer_read %[[X]][%[[ROW]], %[[C]]]{{.*}} {in_bounds = [true]} : tensor<4x256xf32>, vector<16xf32>
// CHECK:             arith.bitcast {{.*}} : vector<16xf32> to vector<16xi32>
// CHECK:             arith.cmpf uno
// CHECK:             %[[PASS:.*]] = arith.cmpi sgt, %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK:             %[[ANY:.*]] = vector.reduction <or>, %[[PASS]] : vector<16xi1> into i1
// CHECK:             scf.if %[[ANY]] -> (index, i32)
// CHECK:               vector.compressstore %[[BUF]][%[[CNT]]], %[[PASS]], %{{.*}} : memref<32xi64>, vector<16xi1>, vector<16xi64>
// CHECK:               arith.cmpi sgt, %{{.*}}, %c16
// CHECK:               scf.if
// CHECK:                 math.ctlz
// CHECK:                 scf.for {{.*}} iter_args({{.*}} = %[[BUF]], {{.*}} = %[[TMP]]) -> (memref<32xi64>, memref<32xi64>)
// CHECK:                 memref.load %[[BUF]][%c7]
// CHECK-NOT:       vector.transfer_read %[[X]]
// CHECK:           math.ctlz
// CHECK:           scf.for {{.*}} iter_args({{.*}} = %[[BUF]], {{.*}} = %[[TMP]])
// CHECK:           %[[VT:.*]] = tensor.extract_slice %[[VALS]][%[[ROW]], 0] [1, 8] [1, 1]
// CHECK:           %[[IT:.*]] = tensor.extract_slice %[[IDXS]][%[[ROW]], 0] [1, 8] [1, 1]
// CHECK:           vector.load %[[BUF]][%{{.*}}] : memref<32xi64>, vector<16xi64>
// CHECK:           vector.transfer_write {{.*}} : vector<16xf32>, tensor<1x8xf32>
// CHECK:           vector.transfer_write {{.*}} : vector<16xi32>, tensor<1x8xi32>
// CHECK:           scf.forall.in_parallel
// CHECK:             tensor.parallel_insert_slice {{.*}} into %[[VALS]][%[[ROW]], 0] [1, 8] [1, 1]
// CHECK:             tensor.parallel_insert_slice {{.*}} into %[[IDXS]][%[[ROW]], 0] [1, 8] [1, 1]
// CHECK:         return %[[R]]#0, %[[R]]#1

// AVX2-LABEL: func.func @topk_plain_f32
// AVX2:         memref.alloca() {alignment = 64 : i64} : memref<16xi64>
// AVX2:         vector.transfer_read {{.*}} : tensor<4x256xf32>, vector<8xf32>
// AVX2:         vector.compressstore {{.*}} : memref<16xi64>, vector<8xi1>, vector<8xi64>

// REMARK: remark: tok-tile-topk: target cpu=x86-64-v4 vector-bits=512 f32-lanes=16
// REMARK: remark: tok-tile-topk: 16-lane keys, candidate buffer 32 x 2 (0 KiB per row task)
// REMARK3: remark: tok-tile-topk: target cpu=znver3 vector-bits=256 f32-lanes=8
// REMARK3: remark: tok-tile-topk: 8-lane keys, candidate buffer 16 x 2 (0 KiB per row task)
func.func @topk_plain_f32(%x: tensor<4x256xf32>) -> (tensor<4x8xf32>, tensor<4x8xi32>) {
  %v, %i = tok.topk %x {k = 8 : i64} : (tensor<4x256xf32>) -> (tensor<4x8xf32>, tensor<4x8xi32>)
  return %v, %i : tensor<4x8xf32>, tensor<4x8xi32>
}

// -----

// Dynamic rows and row length in f16 with a budget, mass and count: the
// filter also sums max(x, 0) (the row's mass) in a vector accumulator; the
// tail vector is read masked (not in bounds) and lanes past the row get the
// lowest key; the budget (clamped at 0) and the mass prefix loop cut the
// count; values are narrowed to f16, indices widened to i64, the count
// inserted per row. k = 20 is written as one full vector and a masked one.

// CHECK-LABEL: func.func @topk_budget_mass_f16
// CHECK-SAME:    %[[X:.*]]: tensor<?x?xf16>, %[[B:.*]]: tensor<?xi32>
// CHECK:         scf.forall (%[[ROW:.*]]) in (%{{.*}}) shared_outs({{.*}}) -> (tensor<?x20xf16>, tensor<?x20xi64>, tensor<?xi32>)
// CHECK:           memref.alloca() {alignment = 64 : i64} : memref<48xi64>
// CHECK:           scf.for {{.*}} -> (index, i32, vector<16xf32>)
// CHECK:             vector.transfer_read %[[X]]{{.*}} {in_bounds = [true]} : tensor<?x?xf16>, vector<16xf16>
// CHECK:             arith.extf
// CHECK:             arith.maxnumf
// CHECK:           vector.transfer_read %[[X]]{{.*}} : tensor<?x?xf16>, vector<16xf16>
// CHECK-NOT:         in_bounds
// CHECK:           arith.cmpi slt, %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK:           %[[BUD:.*]] = tensor.extract %[[B]][%[[ROW]]] : tensor<?xi32>
// CHECK:           arith.maxsi %[[BUD]]
// CHECK:           vector.reduction <add>, %{{.*}} : vector<16xf32> into f32
// CHECK:           scf.for {{.*}} -> (f32, index)
// CHECK:             arith.cmpf olt
// CHECK:           scf.for {{.*}} -> (tensor<1x20xf16>, tensor<1x20xi64>)
// CHECK:             arith.truncf {{.*}} : vector<16xf32> to vector<16xf16>
// CHECK:             vector.transfer_write {{.*}} {in_bounds = [true]} : vector<16xf16>, tensor<1x20xf16>
// CHECK:           arith.extsi {{.*}} : vector<16xi32> to vector<16xi64>
// CHECK:           vector.transfer_write {{.*}} : vector<16xf16>, tensor<1x20xf16>
// CHECK:           vector.transfer_write {{.*}} : vector<16xi64>, tensor<1x20xi64>
// CHECK:           tensor.insert %{{.*}} into %{{.*}}[%c0{{.*}}] : tensor<1xi32>
// CHECK:           scf.forall.in_parallel
// CHECK-COUNT-3:     tensor.parallel_insert_slice
func.func @topk_budget_mass_f16(%x: tensor<?x?xf16>, %b: tensor<?xi32>) -> (tensor<?x20xf16>, tensor<?x20xi64>, tensor<?xi32>) {
  %v, %i, %n = tok.topk %x budget(%b : tensor<?xi32>) {k = 20 : i64, mass = 0.5 : f32} : (tensor<?x?xf16>) -> (tensor<?x20xf16>, tensor<?x20xi64>, tensor<?xi32>)
  return %v, %i, %n : tensor<?x20xf16>, tensor<?x20xi64>, tensor<?xi32>
}

// -----

// Group sharing (NSA): the rows are (b, kv head, query); each key vector is
// the sum of the 4 query heads' vectors, read at head 4·g + h, summed in
// f32, then negated for smallest.

// CHECK-LABEL: func.func @topk_group_smallest_f32
// CHECK-SAME:    %[[X:.*]]: tensor<1x8x?x64xf32>
// CHECK:         scf.forall (%[[B:.*]], %[[G:.*]], %[[Q:.*]]) in (1, 2, %{{.*}})
// CHECK:           scf.for %[[C:arg[0-9]+]] =
// CHECK:             %[[H0:.*]] = arith.muli %[[G]], %c4
// CHECK:             %[[V0:.*]] = vector.transfer_read %[[X]][%[[B]], %[[H0]], %[[Q]], %[[C]]]
// CHECK:             vector.transfer_read %[[X]]
// CHECK:             arith.addf {{.*}} : vector<16xf32>
// CHECK:             vector.transfer_read %[[X]]
// CHECK:             arith.addf {{.*}} : vector<16xf32>
// CHECK:             vector.transfer_read %[[X]]
// CHECK:             arith.addf {{.*}} : vector<16xf32>
// CHECK:             arith.negf {{.*}} : vector<16xf32>
func.func @topk_group_smallest_f32(%x: tensor<1x8x?x64xf32>) -> (tensor<1x2x?x4xf32>, tensor<1x2x?x4xi32>) {
  %v, %i = tok.topk %x {group = 4 : i64, k = 4 : i64, smallest} : (tensor<1x8x?x64xf32>) -> (tensor<1x2x?x4xf32>, tensor<1x2x?x4xi32>)
  return %v, %i : tensor<1x2x?x4xf32>, tensor<1x2x?x4xi32>
}

// -----

// What stays for convert-tok-to-linalg, and why.

// REMARK: remark: tok-tile-topk: left for convert-tok-to-linalg: the kernel selects along the last dim of a rank >= 2 input
// REMARK3: remark: tok-tile-topk: left for convert-tok-to-linalg: the kernel selects along the last dim of a rank >= 2 input
// CHECK-LABEL: func.func @topk_dim0_f32
// CHECK:         tok.topk
func.func @topk_dim0_f32(%x: tensor<50x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xi32>) {
  %v, %i = tok.topk %x {dim = 0 : i64, k = 4 : i64} : (tensor<50x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xi32>)
  return %v, %i : tensor<4x3xf32>, tensor<4x3xi32>
}

// -----

// REMARK: remark: tok-tile-topk: left for convert-tok-to-linalg: the kernel selects along the last dim of a rank >= 2 input
// CHECK-LABEL: func.func @topk_rank1_f32
// CHECK:         tok.topk
func.func @topk_rank1_f32(%x: tensor<64xf32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %v, %i = tok.topk %x {k = 4 : i64} : (tensor<64xf32>) -> (tensor<4xf32>, tensor<4xi32>)
  return %v, %i : tensor<4xf32>, tensor<4xi32>
}

// -----

// REMARK: remark: tok-tile-topk: left for convert-tok-to-linalg: k = 0 selects nothing
// CHECK-LABEL: func.func @topk_k0_f32
// CHECK:         tok.topk
func.func @topk_k0_f32(%x: tensor<2x64xf32>) -> (tensor<2x0xf32>, tensor<2x0xi32>) {
  %v, %i = tok.topk %x {k = 0 : i64} : (tensor<2x64xf32>) -> (tensor<2x0xf32>, tensor<2x0xi32>)
  return %v, %i : tensor<2x0xf32>, tensor<2x0xi32>
}

// -----

// REMARK: remark: tok-tile-topk: left for convert-tok-to-linalg: k is too large for the stack buffers of a row task
// CHECK-LABEL: func.func @topk_huge_k_f32
// CHECK:         tok.topk
func.func @topk_huge_k_f32(%x: tensor<2x?xf32>) -> (tensor<2x20000xf32>, tensor<2x20000xi32>) {
  %v, %i = tok.topk %x {k = 20000 : i64} : (tensor<2x?xf32>) -> (tensor<2x20000xf32>, tensor<2x20000xi32>)
  return %v, %i : tensor<2x20000xf32>, tensor<2x20000xi32>
}
