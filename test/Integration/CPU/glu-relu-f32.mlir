// GLU with relu, f32, against torch.nn.functional in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py glu --shape=2,8,64 --act=relu --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<2x8x64xf32>) -> tensor<2x8x32xf32> {
  %y = tok.glu %x {activation = "relu"} : (tensor<2x8x64xf32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}
