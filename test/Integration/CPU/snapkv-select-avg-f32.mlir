// SnapKV's selection as the model frontend emits it (lib/Frontend/SnapKVIR.cpp,
// @snapkv_select_avg): the prefix votes pooled by upstream tensor.pad +
// linalg.pooling_ncw_sum (the mean counts the zero padding), then tok.topk with a run-time
// budget per row. Against ref/selection.py (F.avg_pool1d, padding K // 2, top
// B descending, ties to the lower position) on quantized votes, so window
// sums are exact and ties happen.
// Kernel 7, 6 rows of 300 positions, budget 8 on every row.
// RUN: rm -rf %t && %python %S/../ref.py snapkv_select --rows=6 --length=300 --budget=8 --kernel=7 --seed=4 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=0
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// Run-time budgets in [-1, 10] per row (0 and negative keep none), kernel 5.
// RUN: rm -rf %t && %python %S/../ref.py snapkv_select --rows=9 --length=77 --budget=8 --kernel=5 --run-budget --seed=5 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=0
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// Fewer positions than k (the rest is -1) and a window wider than the row;
// kernel 1 (no pooling).
// RUN: rm -rf %t && %python %S/../ref.py snapkv_select --rows=3 --length=5 --budget=8 --kernel=9 --seed=6 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=0
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// RUN: rm -rf %t && %python %S/../ref.py snapkv_select --rows=4 --length=64 --budget=8 --kernel=1 --seed=7 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=0
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0

func.func @main(%votes: tensor<?x?xf32>, %budget: tensor<?xi32>, %window: tensor<?xf32>) -> (tensor<?x8xi32>, tensor<?xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r = tensor.dim %votes, %c0 : tensor<?x?xf32>
  %p = tensor.dim %votes, %c1 : tensor<?x?xf32>
  %kw = tensor.dim %window, %c0 : tensor<?xf32>
  %half = arith.divui %kw, %c2 : index
  %pad = arith.constant 0.0 : f32
  %padded = tensor.pad %votes low[0, %half] high[0, %half] {
  ^bb0(%i: index, %j: index):
    tensor.yield %pad : f32
  } : tensor<?x?xf32> to tensor<?x?xf32>
  %pw = tensor.dim %padded, %c1 : tensor<?x?xf32>
  %in = tensor.expand_shape %padded [[0, 1], [2]] output_shape [%r, 1, %pw] : tensor<?x?xf32> into tensor<?x1x?xf32>
  %acc0 = tensor.empty(%r, %p) : tensor<?x1x?xf32>
  %acc = linalg.fill ins(%pad : f32) outs(%acc0 : tensor<?x1x?xf32>) -> tensor<?x1x?xf32>
  %pooled3 = linalg.pooling_ncw_sum {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>} ins(%in, %window : tensor<?x1x?xf32>, tensor<?xf32>) outs(%acc : tensor<?x1x?xf32>) -> tensor<?x1x?xf32>
  %pooled = tensor.collapse_shape %pooled3 [[0, 1], [2]] : tensor<?x1x?xf32> into tensor<?x?xf32>
  %kwi = arith.index_cast %kw : index to i64
  %kwf = arith.sitofp %kwi : i64 to f32
  %me = tensor.empty(%r, %p) : tensor<?x?xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%pooled : tensor<?x?xf32>) outs(%me : tensor<?x?xf32>) {
  ^bb0(%a: f32, %unused: f32):
    %d = arith.divf %a, %kwf : f32
    linalg.yield %d : f32
  } -> tensor<?x?xf32>
  %values, %indices, %count = tok.topk %mean budget(%budget : tensor<?xi32>) {k = 8 : i64} : (tensor<?x?xf32>) -> (tensor<?x8xf32>, tensor<?x8xi32>, tensor<?xi32>)
  return %indices, %count : tensor<?x8xi32>, tensor<?xi32>
}

