// Tile edges: non-causal with a full bias, Sq=77 > Skv=45 (fewer keys than one block), D=40 and Dv=24 (not multiples of the 16-lane vectors), f32.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=3 --hkv=3 --sq=77 --skv=45 --d=40 --dv=24 --bias=full --seed=12 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%q: tensor<1x3x?x40xf32>, %k: tensor<1x3x?x40xf32>, %v: tensor<1x3x?x24xf32>, %bias: tensor<1x3x?x?xf32>) -> tensor<1x3x?x24xf32> {
  %o = tok.attention %q, %k, %v bias(%bias : tensor<1x3x?x?xf32>) : (tensor<1x3x?x40xf32>, tensor<1x3x?x40xf32>, tensor<1x3x?x24xf32>) -> tensor<1x3x?x24xf32>
  return %o : tensor<1x3x?x24xf32>
}
