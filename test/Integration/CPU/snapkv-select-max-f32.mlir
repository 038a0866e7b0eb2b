// SnapKV's selection as the model frontend emits it (lib/Frontend/SnapKVIR.cpp,
// @snapkv_select_max): the prefix votes pooled by upstream tensor.pad +
// linalg.pooling_ncw_max (padding never wins), then tok.topk with a run-time
// budget per row. Against ref/selection.py (F.max_pool1d, padding K // 2, top
// B descending, ties to the lower position) on quantized votes, so window
// sums are exact and ties happen.
// Kernel 7, 8 rows of 1000 positions, budget 32; then run-time budgets.
// RUN: rm -rf %t && %python %S/../ref.py snapkv_select --rows=8 --length=1000 --budget=32 --kernel=7 --pool=max --seed=8 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=0
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0
// RUN: rm -rf %t && %python %S/../ref.py snapkv_select --rows=5 --length=40 --budget=32 --kernel=3 --pool=max --run-budget --seed=9 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=0
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=0

func.func @main(%votes: tensor<?x?xf32>, %budget: tensor<?xi32>, %window: tensor<?xf32>) -> (tensor<?x32xi32>, tensor<?xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r = tensor.dim %votes, %c0 : tensor<?x?xf32>
  %p = tensor.dim %votes, %c1 : tensor<?x?xf32>
  %kw = tensor.dim %window, %c0 : tensor<?xf32>
  %half = arith.divui %kw, %c2 : index
  %pad = arith.constant 0xFF800000 : f32
  %padded = tensor.pad %votes low[0, %half] high[0, %half] {
  ^bb0(%i: index, %j: index):
    tensor.yield %pad : f32
  } : tensor<?x?xf32> to tensor<?x?xf32>
  %pw = tensor.dim %padded, %c1 : tensor<?x?xf32>
  %in = tensor.expand_shape %padded [[0, 1], [2]] output_shape [%r, 1, %pw] : tensor<?x?xf32> into tensor<?x1x?xf32>
  %acc0 = tensor.empty(%r, %p) : tensor<?x1x?xf32>
  %acc = linalg.fill ins(%pad : f32) outs(%acc0 : tensor<?x1x?xf32>) -> tensor<?x1x?xf32>
  %pooled3 = linalg.pooling_ncw_max {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>} ins(%in, %window : tensor<?x1x?xf32>, tensor<?xf32>) outs(%acc : tensor<?x1x?xf32>) -> tensor<?x1x?xf32>
  %pooled = tensor.collapse_shape %pooled3 [[0, 1], [2]] : tensor<?x1x?xf32> into tensor<?x?xf32>
  %values, %indices, %count = tok.topk %pooled budget(%budget : tensor<?xi32>) {k = 32 : i64} : (tensor<?x?xf32>) -> (tensor<?x32xf32>, tensor<?x32xi32>, tensor<?xi32>)
  return %indices, %count : tensor<?x32xi32>, tensor<?xi32>
}

