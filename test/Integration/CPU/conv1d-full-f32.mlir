// Causal conv1d with init, bias and silu (Mamba), dynamic batch and length,
// f32, against torch.nn.functional.conv1d (groups = C) in ref/mixers.py.
// RUN: rm -rf %t && %python %S/../ref.py conv1d --b=3 --l=29 --c=16 --k=4 --bias --init --silu --dtype=f32 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<?x?x16xf32>, %w: tensor<16x4xf32>, %bias: tensor<16xf32>, %s0: tensor<?x16x3xf32>) -> (tensor<?x?x16xf32>, tensor<?x16x3xf32>) {
  %y, %st = tok.conv1d %x, %w bias(%bias : tensor<16xf32>) init(%s0 : tensor<?x16x3xf32>) {activation = "silu"} : (tensor<?x?x16xf32>, tensor<16x4xf32>) -> (tensor<?x?x16xf32>, tensor<?x16x3xf32>)
  return %y, %st : tensor<?x?x16xf32>, tensor<?x16x3xf32>
}
