// SnapKV's prefill (issue 14): causal GQA attention that also returns the
// probability column sums of the last 32 query rows, summed per kv head
// (tok.attention's stats result, computed in the same kernel). 32 query heads
// share 8 kv heads, D128 f32; the sequence length is dynamic. The workaround
// row (attention_stats_workaround.mlir) recomputes the scores in a second
// pass with upstream ops.
func.func @attention_stats(%q: tensor<1x32x?x128xf32>, %k: tensor<1x8x?x128xf32>,
                           %v: tensor<1x8x?x128xf32>)
    -> (tensor<1x32x?x128xf32>, tensor<1x8x?xf32>) {
  %o, %s = tok.attention %q, %k, %v {causal, stats_window = 32 : i64}
     : (tensor<1x32x?x128xf32>, tensor<1x8x?x128xf32>, tensor<1x8x?x128xf32>)
     -> (tensor<1x32x?x128xf32>, stats tensor<1x8x?xf32>)
  return %o, %s : tensor<1x32x?x128xf32>, tensor<1x8x?xf32>
}
