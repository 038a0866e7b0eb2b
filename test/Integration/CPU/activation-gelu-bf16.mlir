// Activation gelu (erf) in bf16, against torch.nn.functional in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py activation --shape=4,256 --kind=gelu --dtype=bf16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%x: tensor<4x256xbf16>) -> tensor<4x256xbf16> {
  %y = tok.activation %x {kind = "gelu"} : (tensor<4x256xbf16>) -> tensor<4x256xbf16>
  return %y : tensor<4x256xbf16>
}
