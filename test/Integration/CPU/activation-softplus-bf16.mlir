// Activation softplus in bf16, dynamic dims, against torch.nn.functional in
// ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py activation --shape=4,256 --kind=softplus --dtype=bf16 --seed=1 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%x: tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  %y = tok.activation %x {kind = "softplus"} : (tensor<?x?xbf16>) -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
