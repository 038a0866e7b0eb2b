// Sparse paged decode in the per-head layout (issue 14, Quest + per-head
// caches): the shape of paged_attention_blocksparse.mlir, but every block of
// 16 rows holds ONE kv head ([NumBlocks, 16, 1, 128]) and each kv head has
// its own block table [1, 8, MaxBlocks] and length [1, 8], so the listed
// blocks of a head are contiguous 8 KiB pages instead of 512-byte rows
// strided by the 4 KiB token rows of the shared layout (bench/cases.py).
func.func @paged_attention_blocksparse_perhead(%q: tensor<1x32x1x128xf32>,
                                               %kc: tensor<?x16x1x128xf32>,
                                               %vc: tensor<?x16x1x128xf32>,
                                               %table: tensor<1x8x?xi32>,
                                               %lens: tensor<1x8xi32>,
                                               %idx: tensor<1x8x?xi32>,
                                               %cnt: tensor<1x8xi32>)
    -> tensor<1x32x1x128xf32> {
  %o = tok.paged_attention %q, %kc, %vc, %table, %lens
         block_indices(%idx : tensor<1x8x?xi32>)
         block_counts(%cnt : tensor<1x8xi32>) {block_k = 64 : i64}
     : (tensor<1x32x1x128xf32>, tensor<?x16x1x128xf32>, tensor<?x16x1x128xf32>,
        tensor<1x8x?xi32>, tensor<1x8xi32>) -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}
