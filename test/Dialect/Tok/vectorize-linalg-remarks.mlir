// RUN: tokamak-opt %s --split-input-file --tok-vectorize-linalg="cpu=znver3 remarks=true" --verify-diagnostics > /dev/null

// tok-vectorize-linalg says which target it sizes vectors for, and why it
// leaves an op for the loop lowering: here a reduction whose combiner (a
// subtraction) is no vector reduction kind; one remark for the op, not one
// per tile.
func.func @sub_reduction(%x: tensor<?x?xf32>, %init: tensor<?xf32>) -> tensor<?xf32> {
  // expected-remark @-1 {{tok-vectorize-linalg: target cpu=znver3 vector-bits=256 f32-lanes=8}}
  // expected-remark @+1 {{tok-vectorize-linalg: left for the loop lowering: the vectorizer does not support it}}
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.subf %out, %in : f32
    linalg.yield %a : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Gathers from n-D tensors, reductions over an outer dim and the tails of
// rows of run-time length are vectorized: no remark but the target's.
func.func @vectorized(%ids: tensor<?xi32>, %table: tensor<?x?xf32>, %x: tensor<?x?xf32>, %out: tensor<?x?xf32>, %init: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>) {
  // expected-remark @-1 {{tok-vectorize-linalg: target cpu=znver3}}
  %g = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%ids : tensor<?xi32>) outs(%out : tensor<?x?xf32>) {
  ^bb0(%id: i32, %o: f32):
    %row = arith.index_cast %id : i32 to index
    %col = linalg.index 1 : index
    %v = tensor.extract %table[%row, %col] : tensor<?x?xf32>
    linalg.yield %v : f32
  } -> tensor<?x?xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<?x?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%in: f32, %o: f32):
    %a = arith.addf %in, %o : f32
    linalg.yield %a : f32
  } -> tensor<?xf32>
  return %g, %s : tensor<?x?xf32>, tensor<?xf32>
}
