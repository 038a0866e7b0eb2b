// tok.lse_merge whose merged lse is unused (issue 14): the lse producer used
// to be fused into the output loop, recomputing two exp/log chains per
// element, and LLVM's loop vectorizer then ran for hours.
func.func @main(%q: tensor<1x4x?x64xf32>, %k1: tensor<1x2x?x64xf32>, %v1: tensor<1x2x?x64xf32>, %k2: tensor<1x2x?x64xf32>, %v2: tensor<1x2x?x64xf32>) -> tensor<1x4x?x64xf32> {
  %o1, %l1 = tok.attention %q, %k1, %v1 : (tensor<1x4x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>)
  %o2, %l2 = tok.attention %q, %k2, %v2 : (tensor<1x4x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>)
  %o, %l = tok.lse_merge %o1, %l1, %o2, %l2 : (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>)
  return %o : tensor<1x4x?x64xf32>
}
