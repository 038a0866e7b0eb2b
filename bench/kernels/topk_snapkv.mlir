// SnapKV's selection at the end of prefill (issue 14): pooled
// observation-window scores [B, Hkv, Skv] -> the 1024 best tokens of each
// kv head, values and indices in descending order. B1 H32 f32; Skv is
// dynamic (8192).
func.func @topk_snapkv(%scores: tensor<1x32x?xf32>)
    -> (tensor<1x32x1024xf32>, tensor<1x32x1024xi32>) {
  %v, %i = tok.topk %scores {k = 1024 : i64}
     : (tensor<1x32x?xf32>) -> (tensor<1x32x1024xf32>, tensor<1x32x1024xi32>)
  return %v, %i : tensor<1x32x1024xf32>, tensor<1x32x1024xi32>
}
