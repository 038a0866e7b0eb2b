// Sparse paged decode with dynamic batch, lists and counts: the run-time
// checks of paged-block-lists-dynamic-dims.test.
func.func @main(%q: tensor<?x4x1x64xf32>, %kc: tensor<8x16x2x64xf32>, %vc: tensor<8x16x2x64xf32>, %table: tensor<?x4xi32>, %lens: tensor<?xi32>, %idx: tensor<?x?x?xi32>, %cnt: tensor<?x?xi32>) -> tensor<?x4x1x64xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens block_indices(%idx : tensor<?x?x?xi32>) block_counts(%cnt : tensor<?x?xi32>) {block_k = 16 : i64} : (tensor<?x4x1x64xf32>, tensor<8x16x2x64xf32>, tensor<8x16x2x64xf32>, tensor<?x4xi32>, tensor<?xi32>) -> tensor<?x4x1x64xf32>
  return %o : tensor<?x4x1x64xf32>
}
