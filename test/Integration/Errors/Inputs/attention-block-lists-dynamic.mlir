// Block-sparse attention with dynamic batch, lists and counts: the run-time
// checks of block-lists-dynamic-dims.test.
func.func @main(%q: tensor<?x4x?x64xf32>, %k: tensor<?x2x?x64xf32>, %v: tensor<?x2x?x64xf32>, %idx: tensor<?x?x?x?xi32>, %cnt: tensor<?x?x?xi32>) -> tensor<?x4x?x64xf32> {
  %o = tok.attention %q, %k, %v block_indices(%idx : tensor<?x?x?x?xi32>) block_counts(%cnt : tensor<?x?x?xi32>) {block_k = 16 : i64, block_q = 16 : i64, causal} : (tensor<?x4x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>) -> tensor<?x4x?x64xf32>
  return %o : tensor<?x4x?x64xf32>
}
