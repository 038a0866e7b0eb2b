// Activation gelu_tanh in f16, against torch.nn.functional in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py activation --shape=4,256 --kind=gelu_tanh --dtype=f16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-3

func.func @main(%x: tensor<4x256xf16>) -> tensor<4x256xf16> {
  %y = tok.activation %x {kind = "gelu_tanh"} : (tensor<4x256xf16>) -> tensor<4x256xf16>
  return %y : tensor<4x256xf16>
}
