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
// carries the sum (a horizontal 1-D reduction per vector); the last partial vector, peeled off, stays scalar.
// AVX2-LABEL: func.func @row_sum(
// AVX2:         scf.for
// AVX2:           scf.for {{.*}} step %c8
// AVX2:             vector.transfer_read {{.*}} : tensor<1x8xf32>, vector<1x8xf32>
// AVX2:             vector.reduction <add>, {{.*}} : vector<8xf32> into f32
// AVX2:           scf.for
// AVX2-NOT:         vector.
// AVX2:             linalg.generic
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

// A gather from a 2-D table (embedding rows by id) is tiled but left
// scalar: MLIR 22's n-D tensor.extract vectorization builds ill-typed index
// arithmetic for tiles with a unit dim.
// AVX2-LABEL: func.func @gather(
// AVX2:         scf.for
// AVX2:           scf.for {{.*}} step %c8
// AVX2:             tensor.extract %{{.*}} : tensor<?x64xf32>
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

// A reduction over an outer dim stays for the loop lowering, with a remark.
func.func @column_sum(%x: tensor<?x?xf32>, %init: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<?x?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %in, %out : f32
    linalg.yield %a : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
