// RUN: tokamak-opt %s --split-input-file --transform-interpreter --verify-diagnostics

// Tiles that would not be exact instances of the op are refused, with a
// warning that says why (TilingInterfaceImpl.cpp); the transform then fails.

// Query heads must come in whole GQA groups: 2 of a group of 4 fail.
func.func @attention_split_group(%q: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32> {
  // expected-warning @below {{cannot tile query heads into whole groups of 4: tile offset and size must be provable multiples of 4}}
  // expected-error @below {{'tok.attention' op faild to tile operation}}
  // expected-error @below {{'tok.attention' op failed to generate tiling loops}}
  // expected-note @below {{when applied to this op}}
  %o = tok.attention %q, %k, %v : (tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{transform.structured.tile_using_forall failed to apply}}
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 2, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Packed (seq_starts) attention never splits its query rows.
func.func @attention_varlen_rows(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>, %cu: tensor<3xi32>) -> tensor<1x4x?x64xf32> {
  // expected-warning @below {{cannot tile the query rows of packed (seq_starts) attention}}
  // expected-error @below {{'tok.attention' op faild to tile operation}}
  // expected-error @below {{'tok.attention' op failed to generate tiling loops}}
  // expected-note @below {{when applied to this op}}
  %o = tok.attention %q, %k, %v seq_starts(%cu : tensor<3xi32>) {causal} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32>
  return %o : tensor<1x4x?x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{transform.structured.tile_using_forall failed to apply}}
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [0, 0, 16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Block-sparse attention never splits its query rows.
func.func @attention_block_lists_rows(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>, %idx: tensor<1x4x?x2xi32>) -> tensor<1x4x?x64xf32> {
  // expected-warning @below {{cannot tile the query rows of block-sparse (block_indices) attention}}
  // expected-error @below {{'tok.attention' op faild to tile operation}}
  // expected-error @below {{'tok.attention' op failed to generate tiling loops}}
  // expected-note @below {{when applied to this op}}
  %o = tok.attention %q, %k, %v block_indices(%idx : tensor<1x4x?x2xi32>) {block_k = 64 : i64, block_q = 64 : i64, causal} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> tensor<1x4x?x64xf32>
  return %o : tensor<1x4x?x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{transform.structured.tile_using_forall failed to apply}}
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [0, 0, 64] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Selective-scan channel tiles of 24 straddle the groups of 16 channels.
func.func @selective_scan_across_groups(%x: tensor<2x?x64xf32>, %dt: tensor<2x?x64xf32>, %a: tensor<64x16xf32>, %b: tensor<2x?x4x16xf32>, %c: tensor<2x?x4x16xf32>) -> tensor<2x?x64xf32> {
  // expected-warning @below {{cannot tile channels: a tile must cover whole groups of 16 channels or stay inside one}}
  // expected-error @below {{'tok.selective_scan' op faild to tile operation}}
  // expected-error @below {{'tok.selective_scan' op failed to generate tiling loops}}
  // expected-note @below {{when applied to this op}}
  %y = tok.selective_scan %x, %dt, %a, %b, %c : (tensor<2x?x64xf32>, tensor<2x?x64xf32>, tensor<64x16xf32>, tensor<2x?x4x16xf32>, tensor<2x?x4x16xf32>) -> tensor<2x?x64xf32>
  return %y : tensor<2x?x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.selective_scan"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{transform.structured.tile_using_forall failed to apply}}
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [0, 24] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Stats sum over query rows: an op with a stats result never splits its rows.
func.func @attention_stats_rows(%q: tensor<1x4x?x64xf32>, %k: tensor<1x4x?x64xf32>, %v: tensor<1x4x?x64xf32>) -> (tensor<1x4x?x64xf32>, tensor<1x4x?xf32>) {
  // expected-warning @below {{cannot tile the query rows of attention with a stats result}}
  // expected-error @below {{'tok.attention' op faild to tile operation}}
  // expected-error @below {{'tok.attention' op failed to generate tiling loops}}
  // expected-note @below {{when applied to this op}}
  %o, %s = tok.attention %q, %k, %v {causal, stats_window = 8 : i64} : (tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>, tensor<1x4x?x64xf32>) -> (tensor<1x4x?x64xf32>, stats tensor<1x4x?xf32>)
  return %o, %s : tensor<1x4x?x64xf32>, tensor<1x4x?xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{transform.structured.tile_using_forall failed to apply}}
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [0, 0, 16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Stats summed per kv head need every query head in the tile.
func.func @attention_stats_per_kv_head_heads(%q: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>) -> (tensor<1x8x?x64xf32>, tensor<1x2x?xf32>) {
  // expected-warning @below {{cannot tile the heads of attention with stats summed per kv head}}
  // expected-error @below {{'tok.attention' op faild to tile operation}}
  // expected-error @below {{'tok.attention' op failed to generate tiling loops}}
  // expected-note @below {{when applied to this op}}
  %o, %s = tok.attention %q, %k, %v : (tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> (tensor<1x8x?x64xf32>, stats tensor<1x2x?xf32>)
  return %o, %s : tensor<1x8x?x64xf32>, tensor<1x2x?xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{transform.structured.tile_using_forall failed to apply}}
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 4, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Paged stats summed per kv head need every query head in the tile.
func.func @paged_attention_stats_per_kv_head_heads(%q: tensor<2x8x1x64xf32>, %kc: tensor<64x16x2x64xf32>, %vc: tensor<64x16x2x64xf32>, %table: tensor<2x8xi32>, %lens: tensor<2xi32>) -> (tensor<2x8x1x64xf32>, tensor<2x2x128xf32>) {
  // expected-warning @below {{cannot tile the heads of paged attention with stats summed per kv head}}
  // expected-error @below {{'tok.paged_attention' op faild to tile operation}}
  // expected-error @below {{'tok.paged_attention' op failed to generate tiling loops}}
  // expected-note @below {{when applied to this op}}
  %o, %s = tok.paged_attention %q, %kc, %vc, %table, %lens : (tensor<2x8x1x64xf32>, tensor<64x16x2x64xf32>, tensor<64x16x2x64xf32>, tensor<2x8xi32>, tensor<2xi32>) -> (tensor<2x8x1x64xf32>, stats tensor<2x2x128xf32>)
  return %o, %s : tensor<2x8x1x64xf32>, tensor<2x2x128xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["tok.paged_attention"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{transform.structured.tile_using_forall failed to apply}}
    %tiled, %loop = transform.structured.tile_using_forall %op tile_sizes [1, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
