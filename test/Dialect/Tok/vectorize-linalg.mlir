// RUN: tokamak-opt %s --split-input-file --tok-vectorize-linalg="cpu=znver3" --canonicalize --cse | FileCheck %s --check-prefix=AVX2
// RUN: tokamak-opt %s --split-input-file --tok-vectorize-linalg="cpu=znver4" --canonicalize --cse | FileCheck %s --check-prefix=AVX512

// An elementwise op: rows of 1, columns in vectors of the target's f32
// lanes (8 with AVX2, 16 with AVX-512); with AVX-512 the last 8 of 40
// columns are peeled off into one 8-lane tile.
// AVX2-LABEL: func.func @elementwise(
// AVX2:         scf.for
// AVX2:           scf.for {{.*}} step %c8
// AVX2:             vector.transfer_read {{.*}} vector<1x8xf32>
// AVX2:             math.exp {{.*}} : vector<1x8xf32>
// AVX2:             vector.transfer_write {{.*}} vector<1x8xf32>
// AVX512-LABEL: func.func @elementwise(
// AVX512:         scf.for {{.*}} to %c32 step %c16
// AVX512:           math.exp {{.*}} : vector<1x16xf32>
// AVX512:         vector.transfer_read {{.*}} : tensor<1x8xf32>, vector<1x8xf32>
// AVX512:         math.exp {{.*}} : vector<1x8xf32>
func.func @elementwise(%x: tensor<?x40xf32>, %y: tensor<?x40xf32>) -> tensor<?x40xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<?x40xf32>, tensor<?x40xf32>) outs(%x : tensor<?x40xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    %e = math.exp %s : f32
    linalg.yield %e : f32
  } -> tensor<?x40xf32>
  return %r : tensor<?x40xf32>
}

// -----

// A row reduction of unknown length: one vector per step of a loop that
// carries the sum (a horizontal 1-D reduction per vector); the last partial
// vector, peeled off, is read under a mask and its lanes past the row set to
// 0 before its horizontal reduction.
// AVX2-LABEL: func.func @row_sum(
// AVX2:         scf.for
// AVX2:           scf.for {{.*}} step %c8
// AVX2:             vector.transfer_read {{.*}} : tensor<1x8xf32>, vector<1x8xf32>
// AVX2:             vector.reduction <add>, {{.*}} : vector<8xf32> into f32
// AVX2:           scf.for
// AVX2:             %[[M:.*]] = vector.create_mask %c1, %{{.*}} : vector<1x8xi1>
// AVX2:             vector.transfer_read {{.*}}, %[[M]] {{.*}} : tensor<1x?xf32>, vector<1x8xf32>
// AVX2:             %[[L:.*]] = vector.create_mask %{{.*}} : vector<8xi1>
// AVX2:             %[[S:.*]] = arith.select %[[L]], %{{.*}}, %cst : vector<8xi1>, vector<8xf32>
// AVX2:             vector.reduction <add>, %[[S]], {{.*}} : vector<8xf32> into f32
// AVX2-NOT:     linalg.generic
// AVX2-NOT:     vector.mask
// AVX512-LABEL: func.func @row_sum(
// AVX512:         vector.reduction <add>, {{.*}} : vector<16xf32> into f32
// AVX512:         vector.create_mask %{{.*}} : vector<16xi1>
// AVX512:         vector.reduction <add>, {{.*}} : vector<16xf32> into f32
// AVX512-NOT:     linalg.generic
func.func @row_sum(%x: tensor<?x?xf32>, %init: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %in, %out : f32
    linalg.yield %a : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A short static reduction is vectorized whole.
// AVX2-LABEL: func.func @short_max(
// AVX2:         vector.transfer_read {{.*}} vector<1x24xf32>
// AVX2:         vector.reduction <maxnumf>, {{.*}} : vector<24xf32> into f32
func.func @short_max(%x: tensor<?x24xf32>, %init: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x24xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maxnumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A gather from a 2-D table (embedding rows by id): the id is one element
// per tile, read before it, so each vector of a row is one contiguous load
// from the table.
// AVX2-LABEL: func.func @gather(
// AVX2:         scf.for
// AVX2:           scf.for {{.*}} step %c8
// AVX2:             %[[ID:.*]] = tensor.extract %{{.*}}[%c0] : tensor<1xi32>
// AVX2:             %[[ROW:.*]] = arith.index_cast %[[ID]] : i32 to index
// AVX2:             vector.transfer_read %{{.*}}[%[[ROW]], %{{.*}}], %{{.*}} {in_bounds = [true, true]} : tensor<?x64xf32>, vector<1x8xf32>
// AVX2-NOT:     vector.gather
// AVX2-NOT:     linalg.generic
// AVX512-LABEL: func.func @gather(
// AVX512:         vector.transfer_read {{.*}} : tensor<?x64xf32>, vector<1x16xf32>
func.func @gather(%ids: tensor<?xi32>, %table: tensor<?x64xf32>, %out: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%ids : tensor<?xi32>) outs(%out : tensor<?x64xf32>) {
  ^bb0(%id: i32, %o: f32):
    %row = arith.index_cast %id : i32 to index
    %col = linalg.index 1 : index
    %v = tensor.extract %table[%row, %col] : tensor<?x64xf32>
    linalg.yield %v : f32
  } -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}

// -----

// A reduction over an outer dim (sums of the columns): in blocks of 64
// rows (the row count is unknown and the columns may take more than one
// block of accumulators), the loop over the rows runs inside the loop over
// column blocks and carries the sums in vector registers, a quarter of the
// target's (4 vectors of 8 lanes with AVX2, 8 of 16 with AVX-512); the
// remaining columns go one vector at a time, the last one masked.
// AVX2-LABEL: func.func @column_sum(
// AVX2:       scf.for {{.*}} step %c64
// AVX2:         scf.for {{.*}} step %c32
// AVX2:           %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<32xf32>, vector<32xf32>
// AVX2:           %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[A:.*]] = %[[ACC]]) -> (vector<32xf32>)
// AVX2:             vector.transfer_read {{.*}} : tensor<1x32xf32>, vector<1x32xf32>
// AVX2:             arith.addf %{{.*}}, %[[A]] : vector<32xf32>
// AVX2:           vector.transfer_write %[[SUM]]
// AVX2:         scf.for
// AVX2:           scf.for
// AVX2:             scf.for {{.*}} step %c8
// AVX2:               vector.create_mask {{.*}} : vector<8xi1>
// AVX2:               arith.addf {{.*}} : vector<8xf32>
// AVX2-NOT:     linalg.generic
// AVX512-LABEL: func.func @column_sum(
// AVX512:         scf.for {{.*}} step %c128
// AVX512:           scf.for {{.*}} iter_args({{.*}}) -> (vector<128xf32>)
// AVX512:             arith.addf {{.*}} : vector<128xf32>
// AVX512:               arith.addf {{.*}} : vector<16xf32>
func.func @column_sum(%x: tensor<?x?xf32>, %init: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<?x?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %in, %out : f32
    linalg.yield %a : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A max over the middle dim of [B, N, D]: the loop over B outside, the
// loop over N inside carrying all of D (24 columns: 3 vectors with AVX2,
// 1.5 with AVX-512, masked in 32 lanes).
// AVX2-LABEL: func.func @middle_max(
// AVX2:         scf.for
// AVX2:           scf.for {{.*}} -> (vector<1x24xf32>)
// AVX2:             arith.maximumf {{.*}} : vector<24xf32>
// AVX512-LABEL: func.func @middle_max(
// AVX512:         vector.constant_mask [1, 24] : vector<1x32xi1>
// AVX512:           scf.for {{.*}} -> (vector<1x32xf32>)
// AVX512:             arith.maximumf {{.*}} : vector<1x32xf32>
func.func @middle_max(%x: tensor<3x?x24xf32>, %init: tensor<3x24xf32>) -> tensor<3x24xf32> {
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%x : tensor<3x?x24xf32>) outs(%init : tensor<3x24xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<3x24xf32>
  return %y : tensor<3x24xf32>
}

// -----

// An elementwise op on rows of run-time length: the last partial vector of
// each row is read and written under a mask of the row's remaining length.
// AVX2-LABEL: func.func @elementwise_dynamic(
// AVX2:         scf.for
// AVX2:           scf.for {{.*}} step %c8
// AVX2:             math.exp {{.*}} : vector<1x8xf32>
// AVX2:           scf.for
// AVX2:             %[[M:.*]] = vector.create_mask %c1, %{{.*}} : vector<1x8xi1>
// AVX2:             vector.transfer_read {{.*}}, %[[M]] {{.*}} : tensor<1x?xf32>, vector<1x8xf32>
// AVX2:             math.exp {{.*}} : vector<1x8xf32>
// AVX2:             vector.transfer_write {{.*}}, %[[M]] {{.*}} : vector<1x8xf32>, tensor<1x?xf32>
// AVX2-NOT:     linalg.generic
// AVX512-LABEL: func.func @elementwise_dynamic(
// AVX512:         vector.create_mask %c1, %{{.*}} : vector<1x16xi1>
// AVX512:         math.exp {{.*}} : vector<1x16xf32>
func.func @elementwise_dynamic(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x?xf32>) outs(%x : tensor<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// A static tail that is not a power of two (37 = 4 x 8 + 5 with AVX2,
// 2 x 16 + 5 with AVX-512) is masked in one 8-lane vector.
// AVX2-LABEL: func.func @static_tail(
// AVX2:         scf.for {{.*}} to %c32 step %c8
// AVX2:         %[[M:.*]] = vector.constant_mask [1, 5] : vector<1x8xi1>
// AVX2:         vector.transfer_read {{.*}}, %[[M]] {{.*}} : tensor<1x5xf32>, vector<1x8xf32>
// AVX512-LABEL: func.func @static_tail(
// AVX512:         scf.for {{.*}} to %c32 step %c16
// AVX512:         vector.constant_mask [1, 5] : vector<1x8xi1>
func.func @static_tail(%x: tensor<?x37xf32>) -> tensor<?x37xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x37xf32>) outs(%x : tensor<?x37xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  } -> tensor<?x37xf32>
  return %r : tensor<?x37xf32>
}

// -----

// take_along_axis on the last axis: the column index varies across a vector,
// so a vector is one vector.gather (masked in the tail of a row).
// AVX2-LABEL: func.func @take_along_axis(
// AVX2:         scf.for {{.*}} step %c8
// AVX2:           vector.gather {{.*}} : tensor<?x?xf32>, vector<1x8xindex>, vector<1x8xi1>, vector<1x8xf32> into vector<1x8xf32>
// AVX2:         scf.for
// AVX2:           %[[M:.*]] = vector.create_mask %c1, %{{.*}} : vector<1x8xi1>
// AVX2:           vector.gather {{.*}}, %[[M]], {{.*}} into vector<1x8xf32>
// AVX2-NOT:     linalg.generic
// AVX512-LABEL: func.func @take_along_axis(
// AVX512:         vector.gather {{.*}} into vector<1x16xf32>
func.func @take_along_axis(%idx: tensor<?x?xi64>, %x: tensor<?x?xf32>, %out: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%idx : tensor<?x?xi64>) outs(%out : tensor<?x?xf32>) {
  ^bb0(%i: i64, %o: f32):
    %row = linalg.index 0 : index
    %col = arith.index_cast %i : i64 to index
    %v = tensor.extract %x[%row, %col] : tensor<?x?xf32>
    linalg.yield %v : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
