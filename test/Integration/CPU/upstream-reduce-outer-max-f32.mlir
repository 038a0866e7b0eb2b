// A max over the middle dim of [B, N, D] with a static D of 3 vectors with
// AVX2 and 1.5 with AVX-512 (a reduction over an outer dim; issue 14, item
// 7): vectors along D accumulate in registers over N. Against a float64
// NumPy max in ref/basics.py.
// RUN: rm -rf %t.a && %python %S/../ref.py reduce_outer --shape=3,19,24 --dim=1 --kind=max --seed=61 --out=%t.a
// RUN: tokamak-run %s --input=@%t.a/in0.npy --output=@%t.a/out0.npy
// RUN: %python %S/../compare.py %t.a/out0.npy %t.a/ref0.npy --rtol=0
// RUN: rm -rf %t.b && %python %S/../ref.py reduce_outer --shape=3,1,24 --dim=1 --kind=max --seed=62 --out=%t.b
// RUN: tokamak-run %s --input=@%t.b/in0.npy --output=@%t.b/out0.npy
// RUN: %python %S/../compare.py %t.b/out0.npy %t.b/ref0.npy --rtol=0

func.func @main(%x: tensor<3x?x24xf32>) -> tensor<3x24xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<3x24xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<3x24xf32>) -> tensor<3x24xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%x : tensor<3x?x24xf32>) outs(%init : tensor<3x24xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<3x24xf32>
  return %y : tensor<3x24xf32>
}
