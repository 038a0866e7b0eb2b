// Layer norm with eps=1e-3 on dynamic dims, f32, against torch.nn.functional.layer_norm in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py layer_norm --shape=3,11,48 --eps=1.0e-03 --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<?x?x48xf32>, %w: tensor<48xf32>, %b: tensor<48xf32>) -> tensor<?x?x48xf32> {
  %y = tok.layer_norm %x, %w, %b {eps = 1.0e-03 : f32} : (tensor<?x?x48xf32>, tensor<48xf32>, tensor<48xf32>) -> tensor<?x?x48xf32>
  return %y : tensor<?x?x48xf32>
}
