// NSA's block selection (issue 14): block importance [B, Hq, Sq, blocks]
// summed over the 16 query heads of each kv head (GQA 64/4), the 16 best
// blocks of 128 per query, shared by the group. f32; Sq is dynamic (1024).
func.func @topk_nsa(%importance: tensor<1x64x?x128xf32>)
    -> (tensor<1x4x?x16xf32>, tensor<1x4x?x16xi32>) {
  %v, %i = tok.topk %importance {group = 16 : i64, k = 16 : i64}
     : (tensor<1x64x?x128xf32>) -> (tensor<1x4x?x16xf32>, tensor<1x4x?x16xi32>)
  return %v, %i : tensor<1x4x?x16xf32>, tensor<1x4x?x16xi32>
}
