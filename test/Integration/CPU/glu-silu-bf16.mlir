// SwiGLU in bf16 (computed in f32), against torch.nn.functional in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py glu --shape=2,8,128 --act=silu --dtype=bf16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%x: tensor<2x8x128xbf16>) -> tensor<2x8x64xbf16> {
  %y = tok.glu %x {activation = "silu"} : (tensor<2x8x128xbf16>) -> tensor<2x8x64xbf16>
  return %y : tensor<2x8x64xbf16>
}
