// The workaround for attention_stats.mlir without a stats result: the same
// causal GQA attention (tok.attention, no stats), then the observation
// window's scores recomputed in a second pass with upstream linalg ops:
// S = scale * Q[last 32 rows] . K^T with the bottom-right causal mask, a
// max-subtracted softmax over the keys, and the column sums over the rows
// and the 4 query heads of each kv head. Same shapes and results.
#qk_q = affine_map<(b, h, i, j, d) -> (b, h, i, d)>
#qk_k = affine_map<(b, h, i, j, d) -> (b, h floordiv 4, j, d)>
#qk_s = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#id4 = affine_map<(b, h, i, j) -> (b, h, i, j)>
#row = affine_map<(b, h, i, j) -> (b, h, i)>
#grp_in = affine_map<(b, k, g, i, j) -> (b, k, g, i, j)>
#grp_out = affine_map<(b, k, g, i, j) -> (b, k, j)>
func.func @attention_stats_workaround(%q: tensor<1x32x?x128xf32>,
                                      %k: tensor<1x8x?x128xf32>,
                                      %v: tensor<1x8x?x128xf32>)
    -> (tensor<1x32x?x128xf32>, tensor<1x8x?xf32>) {
  %o = tok.attention %q, %k, %v {causal}
     : (tensor<1x32x?x128xf32>, tensor<1x8x?x128xf32>, tensor<1x8x?x128xf32>)
     -> tensor<1x32x?x128xf32>
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  %sq = tensor.dim %q, %c2 : tensor<1x32x?x128xf32>
  %skv = tensor.dim %k, %c2 : tensor<1x8x?x128xf32>
  %first = arith.subi %sq, %c32 : index
  %qw = tensor.extract_slice %q[0, 0, %first, 0] [1, 32, 32, 128] [1, 1, 1, 1]
      : tensor<1x32x?x128xf32> to tensor<1x32x32x128xf32>
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant 0.08838834764 : f32
  %e0 = tensor.empty(%skv) : tensor<1x32x32x?xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<1x32x32x?xf32>) -> tensor<1x32x32x?xf32>
  %s = linalg.generic {indexing_maps = [#qk_q, #qk_k, #qk_s],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%qw, %k : tensor<1x32x32x128xf32>, tensor<1x8x?x128xf32>)
      outs(%s0 : tensor<1x32x32x?xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<1x32x32x?xf32>
  // Scale and the causal mask: row i (query Sq - 32 + i) sees j <= i + Skv - 32.
  %off = arith.subi %skv, %c32 : index
  %sm = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%s : tensor<1x32x32x?xf32>) {
  ^bb0(%x: f32):
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %last = arith.addi %i, %off : index
    %vis = arith.cmpi sle, %j, %last : index
    %y = arith.mulf %x, %scale : f32
    %r = arith.select %vis, %y, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<1x32x32x?xf32>
  %m0 = tensor.empty() : tensor<1x32x32xf32>
  %m1 = linalg.fill ins(%ninf : f32) outs(%m0 : tensor<1x32x32xf32>) -> tensor<1x32x32xf32>
  %m = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%sm : tensor<1x32x32x?xf32>) outs(%m1 : tensor<1x32x32xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.maximumf %acc, %x : f32
    linalg.yield %r : f32
  } -> tensor<1x32x32xf32>
  %ex = linalg.generic {indexing_maps = [#row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%m : tensor<1x32x32xf32>) outs(%sm : tensor<1x32x32x?xf32>) {
  ^bb0(%mx: f32, %x: f32):
    %d = arith.subf %x, %mx : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<1x32x32x?xf32>
  %l1 = linalg.fill ins(%zero : f32) outs(%m0 : tensor<1x32x32xf32>) -> tensor<1x32x32xf32>
  %l = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ex : tensor<1x32x32x?xf32>) outs(%l1 : tensor<1x32x32xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.addf %acc, %x : f32
    linalg.yield %r : f32
  } -> tensor<1x32x32xf32>
  %p = linalg.generic {indexing_maps = [#row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%l : tensor<1x32x32xf32>) outs(%ex : tensor<1x32x32x?xf32>) {
  ^bb0(%sum: f32, %x: f32):
    %r = arith.divf %x, %sum : f32
    linalg.yield %r : f32
  } -> tensor<1x32x32x?xf32>
  %pg = tensor.expand_shape %p [[0], [1, 2], [3], [4]] output_shape [1, 8, 4, 32, %skv]
      : tensor<1x32x32x?xf32> into tensor<1x8x4x32x?xf32>
  %st0 = tensor.empty(%skv) : tensor<1x8x?xf32>
  %st1 = linalg.fill ins(%zero : f32) outs(%st0 : tensor<1x8x?xf32>) -> tensor<1x8x?xf32>
  %st = linalg.generic {indexing_maps = [#grp_in, #grp_out],
                        iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel"]}
      ins(%pg : tensor<1x8x4x32x?xf32>) outs(%st1 : tensor<1x8x?xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.addf %acc, %x : f32
    linalg.yield %r : f32
  } -> tensor<1x8x?xf32>
  return %o, %st : tensor<1x32x?x128xf32>, tensor<1x8x?xf32>
}
