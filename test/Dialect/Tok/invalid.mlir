// RUN: tokamak-opt %s -split-input-file -allow-unregistered-dialect -verify-diagnostics

// One case per verifier rule of the tok ops, in the order the verifiers check
// them (ranks, element types, dims, attributes, regions). Unregistered ops
// only stand in for a foreign terminator of a region.

// query must be rank 4.
func.func @attention_query_must_be_rank_4(%query: tensor<8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected query rank 4, got 3}}
  %out = tok.attention %query, %key, %value : (tensor<8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// key must be rank 4.
func.func @attention_key_must_be_rank_4(%query: tensor<1x8x16x64xf32>, %key: tensor<2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected key rank 4, got 3}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// value must be rank 4.
func.func @attention_value_must_be_rank_4(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected value rank 4, got 3}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// bias must have rank at most 4.
func.func @attention_bias_must_have_rank_at_most_4(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>, %bias: tensor<1x1x8x16x16xf32>) {
  // expected-error @+1 {{'tok.attention' op expected bias rank at most 4, got 5}}
  %out = tok.attention %query, %key, %value bias(%bias : tensor<1x1x8x16x16xf32>) : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// seq_starts must be rank 1.
func.func @attention_seq_starts_must_be_rank_1(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>, %seq_starts: tensor<1x5xi32>) {
  // expected-error @+1 {{'tok.attention' op expected seq_starts rank 1, got 2}}
  %out = tok.attention %query, %key, %value seq_starts(%seq_starts : tensor<1x5xi32>) {causal} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// output must be rank 4.
func.func @attention_output_must_be_rank_4(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected output rank 4, got 3}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<8x16x64xf32>
  return
}

// -----

// lse must be rank 3.
func.func @attention_lse_must_be_rank_3(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected lse rank 3, got 4}}
  %out, %lse = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x16x1xf32>)
  return
}

// -----

// a rank mismatch is reported before a dim mismatch.
func.func @attention_a_rank_mismatch_is_reported_before_a_dim_mismatch(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x32xf32>, %value: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected value rank 4, got 3}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x32xf32>, tensor<2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// query must have a float element type.
func.func @attention_query_must_have_a_float_element_type(%query: tensor<1x8x16x64xi32>, %key: tensor<1x2x16x64xi32>, %value: tensor<1x2x16x64xi32>) {
  // expected-error @+1 {{'tok.attention' op expected query element type f32, f16 or bf16, got 'i32'}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xi32>, tensor<1x2x16x64xi32>, tensor<1x2x16x64xi32>) -> tensor<1x8x16x64xi32>
  return
}

// -----

// f64 is not a tok float type.
func.func @attention_f64_is_not_a_tok_float_type(%query: tensor<1x8x16x64xf64>, %key: tensor<1x2x16x64xf64>, %value: tensor<1x2x16x64xf64>) {
  // expected-error @+1 {{'tok.attention' op expected query element type f32, f16 or bf16, got 'f64'}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf64>, tensor<1x2x16x64xf64>, tensor<1x2x16x64xf64>) -> tensor<1x8x16x64xf64>
  return
}

// -----

// key must have the element type of query.
func.func @attention_key_must_have_the_element_type_of_query(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf16>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected query and key element types to match, got 'f32' and 'f16'}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// value must have the element type of query.
func.func @attention_value_must_have_the_element_type_of_query(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xbf16>) {
  // expected-error @+1 {{'tok.attention' op expected query and value element types to match, got 'f32' and 'bf16'}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xbf16>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// bias must have a float element type.
func.func @attention_bias_must_have_a_float_element_type(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>, %bias: tensor<16x16xi1>) {
  // expected-error @+1 {{'tok.attention' op expected bias element type f32, f16 or bf16, got 'i1'}}
  %out = tok.attention %query, %key, %value bias(%bias : tensor<16x16xi1>) : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// seq_starts must be i32.
func.func @attention_seq_starts_must_be_i32(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>, %seq_starts: tensor<5xi64>) {
  // expected-error @+1 {{'tok.attention' op expected seq_starts element type 'i32', got 'i64'}}
  %out = tok.attention %query, %key, %value seq_starts(%seq_starts : tensor<5xi64>) : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// output must have the element type of query.
func.func @attention_output_must_have_the_element_type_of_query(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected query and output element types to match, got 'f32' and 'f16'}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf16>
  return
}

// -----

// lse must be f32.
func.func @attention_lse_must_be_f32(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected lse element type 'f32', got 'f16'}}
  %out, %lse = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x16xf16>)
  return
}

// -----

// query and key batch sizes must match.
func.func @attention_query_and_key_batch_sizes_must_match(%query: tensor<1x8x16x64xf32>, %key: tensor<2x2x16x64xf32>, %value: tensor<2x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected query and key batch sizes to match, got 1 and 2}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// key and value batch sizes must match.
func.func @attention_key_and_value_batch_sizes_must_match(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<2x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected key and value batch sizes to match, got 1 and 2}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<2x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// key and value head counts must match.
func.func @attention_key_and_value_head_counts_must_match(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected key and value head counts to match, got 2 and 4}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x4x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// query heads must be a multiple of kv heads.
func.func @attention_query_heads_must_be_a_multiple_of_kv_heads(%query: tensor<1x8x16x64xf32>, %key: tensor<1x3x16x64xf32>, %value: tensor<1x3x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected query head count to be a multiple of key head count, got 8 and 3}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x3x16x64xf32>, tensor<1x3x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// query and key head dims must match.
func.func @attention_query_and_key_head_dims_must_match(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x32xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected query and key head dims to match, got 64 and 32}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// key and value sequence lengths must match.
func.func @attention_key_and_value_sequence_lengths_must_match(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x32x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected key and value sequence lengths to match, got 16 and 32}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x32x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// output shape is [B, Hq, Sq, Dv].
func.func @attention_output_shape_is_b_hq_sq_dv(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x32xf32>) {
  // expected-error @+1 {{'tok.attention' op expected output shape [1, 8, 16, 32], got [1, 8, 16, 64]}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x32xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// lse shape is [B, Hq, Sq].
func.func @attention_lse_shape_is_b_hq_sq(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected lse shape [1, 8, 16], got [1, 2, 16]}}
  %out, %lse = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x2x16xf32>)
  return
}

// -----

// bias must broadcast to [B, Hq, Sq, Skv].
func.func @attention_bias_must_broadcast_to_b_hq_sq_skv(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>, %bias: tensor<1x8x16x8xf32>) {
  // expected-error @+1 {{'tok.attention' op expected bias shape [1, 8, 16, 8] to broadcast to [1, 8, 16, 16]}}
  %out = tok.attention %query, %key, %value bias(%bias : tensor<1x8x16x8xf32>) : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// seq_starts requires batch size 1.
func.func @attention_seq_starts_requires_batch_size_1(%query: tensor<2x8x16x64xf32>, %key: tensor<2x2x16x64xf32>, %value: tensor<2x2x16x64xf32>, %seq_starts: tensor<3xi32>) {
  // expected-error @+1 {{'tok.attention' op expected batch size 1 with seq_starts, got 2}}
  %out = tok.attention %query, %key, %value seq_starts(%seq_starts : tensor<3xi32>) : (tensor<2x8x16x64xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x64xf32>) -> tensor<2x8x16x64xf32>
  return
}

// -----

// seq_starts needs at least two offsets.
func.func @attention_seq_starts_needs_at_least_two_offsets(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>, %seq_starts: tensor<1xi32>) {
  // expected-error @+1 {{'tok.attention' op expected seq_starts length at least 2, got 1}}
  %out = tok.attention %query, %key, %value seq_starts(%seq_starts : tensor<1xi32>) : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// block_counts requires block_indices.
func.func @attention_block_counts_requires_block_indices(%query: tensor<1x8x128x64xf32>, %key: tensor<1x2x128x64xf32>, %value: tensor<1x2x128x64xf32>, %counts: tensor<1x2x2xi32>) {
  // expected-error @+1 {{'tok.attention' op expected block_indices with block_counts}}
  %out = tok.attention %query, %key, %value block_counts(%counts : tensor<1x2x2xi32>) {block_k = 64 : i64, block_q = 64 : i64} : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return
}

// -----

// block_q and block_k require block_indices.
func.func @attention_block_q_requires_block_indices(%query: tensor<1x8x128x64xf32>, %key: tensor<1x2x128x64xf32>, %value: tensor<1x2x128x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected block_indices with block_q and block_k}}
  %out = tok.attention %query, %key, %value {block_k = 64 : i64, block_q = 64 : i64} : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return
}

// -----

// block_indices requires block_q and block_k.
func.func @attention_block_indices_requires_block_sizes(%query: tensor<1x8x128x64xf32>, %key: tensor<1x2x128x64xf32>, %value: tensor<1x2x128x64xf32>, %indices: tensor<1x2x2x4xi32>) {
  // expected-error @+1 {{'tok.attention' op expected block_q and block_k with block_indices}}
  %out = tok.attention %query, %key, %value block_indices(%indices : tensor<1x2x2x4xi32>) {block_q = 64 : i64} : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return
}

// -----

// block_indices must be rank 4.
func.func @attention_block_indices_must_be_rank_4(%query: tensor<1x8x128x64xf32>, %key: tensor<1x2x128x64xf32>, %value: tensor<1x2x128x64xf32>, %indices: tensor<2x2x4xi32>) {
  // expected-error @+1 {{'tok.attention' op expected block_indices rank 4, got 3}}
  %out = tok.attention %query, %key, %value block_indices(%indices : tensor<2x2x4xi32>) {block_k = 64 : i64, block_q = 64 : i64} : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return
}

// -----

// block_counts must be rank 3.
func.func @attention_block_counts_must_be_rank_3(%query: tensor<1x8x128x64xf32>, %key: tensor<1x2x128x64xf32>, %value: tensor<1x2x128x64xf32>, %indices: tensor<1x2x2x4xi32>, %counts: tensor<1x2x2x1xi32>) {
  // expected-error @+1 {{'tok.attention' op expected block_counts rank 3, got 4}}
  %out = tok.attention %query, %key, %value block_indices(%indices : tensor<1x2x2x4xi32>) block_counts(%counts : tensor<1x2x2x1xi32>) {block_k = 64 : i64, block_q = 64 : i64} : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return
}

// -----

// block_indices must be i32.
func.func @attention_block_indices_must_be_i32(%query: tensor<1x8x128x64xf32>, %key: tensor<1x2x128x64xf32>, %value: tensor<1x2x128x64xf32>, %indices: tensor<1x2x2x4xi64>) {
  // expected-error @+1 {{'tok.attention' op expected block_indices element type 'i32', got 'i64'}}
  %out = tok.attention %query, %key, %value block_indices(%indices : tensor<1x2x2x4xi64>) {block_k = 64 : i64, block_q = 64 : i64} : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return
}

// -----

// block_counts must be i32.
func.func @attention_block_counts_must_be_i32(%query: tensor<1x8x128x64xf32>, %key: tensor<1x2x128x64xf32>, %value: tensor<1x2x128x64xf32>, %indices: tensor<1x2x2x4xi32>, %counts: tensor<1x2x2xindex>) {
  // expected-error @+1 {{'tok.attention' op expected block_counts element type 'i32', got 'index'}}
  %out = tok.attention %query, %key, %value block_indices(%indices : tensor<1x2x2x4xi32>) block_counts(%counts : tensor<1x2x2xindex>) {block_k = 64 : i64, block_q = 64 : i64} : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return
}

// -----

// block_q must be at least 1.
func.func @attention_block_q_must_be_positive(%query: tensor<1x8x128x64xf32>, %key: tensor<1x2x128x64xf32>, %value: tensor<1x2x128x64xf32>, %indices: tensor<1x2x2x4xi32>) {
  // expected-error @+1 {{'tok.attention' op expected block_q to be at least 1, got 0}}
  %out = tok.attention %query, %key, %value block_indices(%indices : tensor<1x2x2x4xi32>) {block_k = 64 : i64, block_q = 0 : i64} : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return
}

// -----

// block_k must be at least 1.
func.func @attention_block_k_must_be_positive(%query: tensor<1x8x128x64xf32>, %key: tensor<1x2x128x64xf32>, %value: tensor<1x2x128x64xf32>, %indices: tensor<1x2x2x4xi32>) {
  // expected-error @+1 {{'tok.attention' op expected block_k to be at least 1, got -64}}
  %out = tok.attention %query, %key, %value block_indices(%indices : tensor<1x2x2x4xi32>) {block_k = -64 : i64, block_q = 64 : i64} : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return
}

// -----

// block_indices has one list per query block: ceil(128 / 48) = 3.
func.func @attention_block_indices_one_list_per_query_block(%query: tensor<1x8x128x64xf32>, %key: tensor<1x2x128x64xf32>, %value: tensor<1x2x128x64xf32>, %indices: tensor<1x2x2x4xi32>) {
  // expected-error @+1 {{'tok.attention' op expected block_indices shape [1, 2, 3, ?], got [1, 2, 2, 4]}}
  %out = tok.attention %query, %key, %value block_indices(%indices : tensor<1x2x2x4xi32>) {block_k = 64 : i64, block_q = 48 : i64} : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return
}

// -----

// block_indices has one list per kv head, not per query head.
func.func @attention_block_indices_per_kv_head(%query: tensor<1x8x128x64xf32>, %key: tensor<1x2x128x64xf32>, %value: tensor<1x2x128x64xf32>, %indices: tensor<1x8x2x4xi32>) {
  // expected-error @+1 {{'tok.attention' op expected block_indices shape [1, 2, 2, ?], got [1, 8, 2, 4]}}
  %out = tok.attention %query, %key, %value block_indices(%indices : tensor<1x8x2x4xi32>) {block_k = 64 : i64, block_q = 64 : i64} : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return
}

// -----

// block_counts matches the leading dims of block_indices.
func.func @attention_block_counts_shape(%query: tensor<1x8x128x64xf32>, %key: tensor<1x2x128x64xf32>, %value: tensor<1x2x128x64xf32>, %indices: tensor<1x2x2x4xi32>, %counts: tensor<1x2x4xi32>) {
  // expected-error @+1 {{'tok.attention' op expected block_counts shape [1, 2, 2], got [1, 2, 4]}}
  %out = tok.attention %query, %key, %value block_indices(%indices : tensor<1x2x2x4xi32>) block_counts(%counts : tensor<1x2x4xi32>) {block_k = 64 : i64, block_q = 64 : i64} : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>) -> tensor<1x8x128x64xf32>
  return
}

// -----

// window requires causal.
func.func @attention_window_requires_causal(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected causal when window is set}}
  %out = tok.attention %query, %key, %value {window = 16 : i64} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// window must be at least 1.
func.func @attention_window_must_be_at_least_1(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected window to be at least 1, got 0}}
  %out = tok.attention %query, %key, %value {causal, window = 0 : i64} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// sinks must be non-negative.
func.func @attention_sinks_must_be_non_negative(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected sinks to be at least 0, got -1}}
  %out = tok.attention %query, %key, %value {causal, sinks = -1 : i64} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// scale must be nonzero.
func.func @attention_scale_must_be_nonzero(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected scale to be finite and nonzero, got 0.000000e+00}}
  %out = tok.attention %query, %key, %value {scale = 0.0 : f32} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// scale must be finite.
func.func @attention_scale_must_be_finite(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected scale to be finite and nonzero, got INF}}
  %out = tok.attention %query, %key, %value {scale = 0x7F800000 : f32} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// softcap must be positive.
func.func @attention_softcap_must_be_positive(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected softcap to be positive, got -1.000000e+00}}
  %out = tok.attention %query, %key, %value {softcap = -1.0 : f32} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// score_mod must have one block.
func.func @attention_score_mod_must_have_one_block(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected score_mod region to have one block, got 2}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32> score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    cf.br ^bb1(%s : f32)
  ^bb1(%r: f32):
    tok.yield %r : f32
  }
  return
}

// -----

// score_mod takes five arguments.
func.func @attention_score_mod_takes_five_arguments(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected score_mod block to have 5 arguments, got 4}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32> score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index):
    tok.yield %s : f32
  }
  return
}

// -----

// the score is f32.
func.func @attention_the_score_is_f32(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected score_mod argument 0 type 'f32', got 'f16'}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32> score_mod {
  ^bb0(%s: f16, %b: index, %h: index, %i: index, %j: index):
    %e = arith.extf %s : f16 to f32
    tok.yield %e : f32
  }
  return
}

// -----

// the positions are index.
func.func @attention_the_positions_are_index(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected score_mod argument 3 type 'index', got 'i32'}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32> score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: i32, %j: index):
    tok.yield %s : f32
  }
  return
}

// -----

// score_mod must end with tok.yield.
func.func @attention_score_mod_must_end_with_tok_yield(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected score_mod region to end with tok.yield}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32> score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    "test.terminator"(%s) : (f32) -> ()
  }
  return
}

// -----

// score_mod yields one value.
func.func @attention_score_mod_yields_one_value(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected score_mod to yield 1 value, got 2}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32> score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    tok.yield %s, %s : f32, f32
  }
  return
}

// -----

// score_mod yields f32.
func.func @attention_score_mod_yields_f32(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected score_mod yielded value 0 type 'f32', got 'f16'}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32> score_mod {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %t = arith.truncf %s : f32 to f16
    tok.yield %t : f16
  }
  return
}

// -----

// query must be rank 4.
func.func @paged_attention_query_must_be_rank_4(%query: tensor<4x8x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected query rank 4, got 3}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// key_cache must be rank 4.
func.func @paged_attention_key_cache_must_be_rank_4(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x128xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected key_cache rank 4, got 3}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x128xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// value_cache must be rank 4.
func.func @paged_attention_value_cache_must_be_rank_4(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x128xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected value_cache rank 4, got 3}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x128xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// block_table must be rank 2.
func.func @paged_attention_block_table_must_be_rank_2(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<128xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_table rank 2, got 1}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<128xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// lens must be rank 1, or 2 per kv head.
func.func @paged_attention_lens_must_be_rank_1_or_2(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4x2x1xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected lens rank 1 or 2 (per kv head), got 3}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4x2x1xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// output must be rank 4.
func.func @paged_attention_output_must_be_rank_4(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected output rank 4, got 3}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x64xf16>
  return
}

// -----

// query must have a float element type.
func.func @paged_attention_query_must_have_a_float_element_type(%query: tensor<4x8x1x64xi8>, %key_cache: tensor<256x16x2x64xi8>, %value_cache: tensor<256x16x2x64xi8>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected query element type f32, f16 or bf16, got 'i8'}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xi8>, tensor<256x16x2x64xi8>, tensor<256x16x2x64xi8>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xi8>
  return
}

// -----

// key_cache must have the element type of query.
func.func @paged_attention_key_cache_must_have_the_element_type_of_query(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf32>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected query and key_cache element types to match, got 'f16' and 'f32'}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf32>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// value_cache must have the element type of query.
func.func @paged_attention_value_cache_must_have_the_element_type_of_query(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xbf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected query and value_cache element types to match, got 'f16' and 'bf16'}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xbf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// block_table must be i32.
func.func @paged_attention_block_table_must_be_i32(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi64>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_table element type 'i32', got 'i64'}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi64>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// lens must be i32.
func.func @paged_attention_lens_must_be_i32(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi64>) {
  // expected-error @+1 {{'tok.paged_attention' op expected lens element type 'i32', got 'i64'}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi64>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// output must have the element type of query.
func.func @paged_attention_output_must_have_the_element_type_of_query(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected query and output element types to match, got 'f16' and 'f32'}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf32>
  return
}

// -----

// the caches must have the same shape.
func.func @paged_attention_the_caches_must_have_the_same_shape(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x32xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected key_cache and value_cache shapes to match, got [256, 16, 2, 64] and [256, 16, 2, 32]}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x32xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// query heads must be a multiple of cache heads.
func.func @paged_attention_query_heads_must_be_a_multiple_of_cache_heads(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x3x64xf16>, %value_cache: tensor<256x16x3x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected query head count to be a multiple of key_cache head count, got 8 and 3}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x3x64xf16>, tensor<256x16x3x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// query and cache head dims must match.
func.func @paged_attention_query_and_cache_head_dims_must_match(%query: tensor<4x8x1x128xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected query and key_cache head dims to match, got 128 and 64}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x128xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x128xf16>
  return
}

// -----

// block_table batch size must match.
func.func @paged_attention_block_table_batch_size_must_match(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<2x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected query and block_table batch sizes to match, got 4 and 2}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<2x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// lens batch size must match.
func.func @paged_attention_lens_batch_size_must_match(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<3xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected query and lens batch sizes to match, got 4 and 3}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<3xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// output shape is [B, Hq, Sq, D].
func.func @paged_attention_output_shape_is_b_hq_sq_d(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected output shape [4, 8, 1, 64], got [4, 8, 2, 64]}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x2x64xf16>
  return
}

// -----

// window must be at least 1.
func.func @paged_attention_window_must_be_at_least_1(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected window to be at least 1, got 0}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens {window = 0 : i64} : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// sinks must be non-negative.
func.func @paged_attention_sinks_must_be_non_negative(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected sinks to be at least 0, got -4}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens {sinks = -4 : i64} : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// scale must be nonzero.
func.func @paged_attention_scale_must_be_nonzero(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected scale to be finite and nonzero, got 0.000000e+00}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens {scale = 0.0 : f32} : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// softcap must be positive.
func.func @paged_attention_softcap_must_be_positive(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected softcap to be positive, got 0.000000e+00}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens {softcap = 0.0 : f32} : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// cache must be rank 4.
func.func @cache_write_cache_must_be_rank_4(%cache: tensor<256x16x128xf16>, %update: tensor<4x2x1x64xf16>, %slots: tensor<4x1xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected cache rank 4, got 3}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x128xf16>, tensor<4x2x1x64xf16>, tensor<4x1xi32>) -> tensor<256x16x128xf16>
  return
}

// -----

// update must be rank 4.
func.func @cache_write_update_must_be_rank_4(%cache: tensor<256x16x2x64xf16>, %update: tensor<4x2x64xf16>, %slots: tensor<4x1xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected update rank 4, got 3}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x2x64xf16>, tensor<4x2x64xf16>, tensor<4x1xi32>) -> tensor<256x16x2x64xf16>
  return
}

// -----

// slots must be rank 2.
func.func @cache_write_slots_must_be_rank_2(%cache: tensor<256x16x2x64xf16>, %update: tensor<4x2x1x64xf16>, %slots: tensor<4xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected slots rank 2 or 3 (per kv head), got 1}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x2x64xf16>, tensor<4x2x1x64xf16>, tensor<4xi32>) -> tensor<256x16x2x64xf16>
  return
}

// -----

// result must be rank 4.
func.func @cache_write_result_must_be_rank_4(%cache: tensor<256x16x2x64xf16>, %update: tensor<4x2x1x64xf16>, %slots: tensor<4x1xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected result rank 4, got 3}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x2x64xf16>, tensor<4x2x1x64xf16>, tensor<4x1xi32>) -> tensor<256x16x128xf16>
  return
}

// -----

// cache must have a float element type.
func.func @cache_write_cache_must_have_a_float_element_type(%cache: tensor<256x16x2x64xi8>, %update: tensor<4x2x1x64xi8>, %slots: tensor<4x1xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected cache element type f32, f16 or bf16, got 'i8'}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x2x64xi8>, tensor<4x2x1x64xi8>, tensor<4x1xi32>) -> tensor<256x16x2x64xi8>
  return
}

// -----

// update must have the element type of cache.
func.func @cache_write_update_must_have_the_element_type_of_cache(%cache: tensor<256x16x2x64xf16>, %update: tensor<4x2x1x64xf32>, %slots: tensor<4x1xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected cache and update element types to match, got 'f16' and 'f32'}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x2x64xf16>, tensor<4x2x1x64xf32>, tensor<4x1xi32>) -> tensor<256x16x2x64xf16>
  return
}

// -----

// slots must be i32.
func.func @cache_write_slots_must_be_i32(%cache: tensor<256x16x2x64xf16>, %update: tensor<4x2x1x64xf16>, %slots: tensor<4x1xi64>) {
  // expected-error @+1 {{'tok.cache_write' op expected slots element type 'i32', got 'i64'}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x2x64xf16>, tensor<4x2x1x64xf16>, tensor<4x1xi64>) -> tensor<256x16x2x64xf16>
  return
}

// -----

// cache and update head counts must match.
func.func @cache_write_cache_and_update_head_counts_must_match(%cache: tensor<256x16x2x64xf16>, %update: tensor<4x4x1x64xf16>, %slots: tensor<4x1xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected cache and update head counts to match, got 2 and 4}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x2x64xf16>, tensor<4x4x1x64xf16>, tensor<4x1xi32>) -> tensor<256x16x2x64xf16>
  return
}

// -----

// cache and update head dims must match.
func.func @cache_write_cache_and_update_head_dims_must_match(%cache: tensor<256x16x2x64xf16>, %update: tensor<4x2x1x128xf16>, %slots: tensor<4x1xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected cache and update head dims to match, got 64 and 128}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x2x64xf16>, tensor<4x2x1x128xf16>, tensor<4x1xi32>) -> tensor<256x16x2x64xf16>
  return
}

// -----

// update and slots batch sizes must match.
func.func @cache_write_update_and_slots_batch_sizes_must_match(%cache: tensor<256x16x2x64xf16>, %update: tensor<4x2x1x64xf16>, %slots: tensor<2x1xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected update and slots batch sizes to match, got 4 and 2}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x2x64xf16>, tensor<4x2x1x64xf16>, tensor<2x1xi32>) -> tensor<256x16x2x64xf16>
  return
}

// -----

// update and slots sequence lengths must match.
func.func @cache_write_update_and_slots_sequence_lengths_must_match(%cache: tensor<256x16x2x64xf16>, %update: tensor<4x2x1x64xf16>, %slots: tensor<4x8xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected update and slots sequence lengths to match, got 1 and 8}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x2x64xf16>, tensor<4x2x1x64xf16>, tensor<4x8xi32>) -> tensor<256x16x2x64xf16>
  return
}

// -----

// the result has the type of the cache.
func.func @cache_write_the_result_has_the_type_of_the_cache(%cache: tensor<256x16x2x64xf16>, %update: tensor<4x2x1x64xf16>, %slots: tensor<4x1xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected cache and result types to match, got 'tensor<256x16x2x64xf16>' and 'tensor<?x16x2x64xf16>'}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x2x64xf16>, tensor<4x2x1x64xf16>, tensor<4x1xi32>) -> tensor<?x16x2x64xf16>
  return
}

// -----

// With per-head lens the block table is shared [B, MaxBlocks] or per head [B, Hkv, MaxBlocks].
func.func @paged_attention_block_table_must_be_rank_2_or_3_with_per_head_lens(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x1x64xf16>, %value_cache: tensor<256x16x1x64xf16>, %block_table: tensor<4x2x3x32xi32>, %lens: tensor<4x2xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_table rank 2 or 3 with per-head lens, got 4}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x1x64xf16>, tensor<256x16x1x64xf16>, tensor<4x2x3x32xi32>, tensor<4x2xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// A per-head block table has a row of blocks per kv head of lens.
func.func @paged_attention_per_head_table_must_match_lens_heads(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x1x64xf16>, %value_cache: tensor<256x16x1x64xf16>, %block_table: tensor<4x4x32xi32>, %lens: tensor<4x2xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected lens and block_table kv head counts to match, got 2 and 4}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x1x64xf16>, tensor<256x16x1x64xf16>, tensor<4x4x32xi32>, tensor<4x2xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// With per-head lens a cache block holds every kv head or exactly one.
func.func @paged_attention_per_head_cache_must_hold_every_head_or_one(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x4x32xi32>, %lens: tensor<4x4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected key_cache to hold every kv head or one per block (dim 2 of 4 or 1), got 2}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x4x32xi32>, tensor<4x4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// With per-head lens the cache's head dim must be static (it decides the block layout).
func.func @paged_attention_per_head_cache_heads_must_be_static(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x?x64xf16>, %value_cache: tensor<256x16x?x64xf16>, %block_table: tensor<4x2x32xi32>, %lens: tensor<4x2xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected key_cache head dim (dim 2) to be static with per-head lens or slots}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x?x64xf16>, tensor<256x16x?x64xf16>, tensor<4x2x32xi32>, tensor<4x2xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// With per-head lens Hkv comes from lens, and Hq must be a multiple of it.
func.func @paged_attention_query_heads_must_group_over_lens_heads(%query: tensor<4x6x1x64xf16>, %key_cache: tensor<256x16x1x64xf16>, %value_cache: tensor<256x16x1x64xf16>, %block_table: tensor<4x4x32xi32>, %lens: tensor<4x4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected query head count to be a multiple of lens head count, got 6 and 4}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x6x1x64xf16>, tensor<256x16x1x64xf16>, tensor<256x16x1x64xf16>, tensor<4x4x32xi32>, tensor<4x4xi32>) -> tensor<4x6x1x64xf16>
  return
}

// -----

// block_counts needs block_indices.
func.func @paged_attention_counts_need_indices(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>, %cnt: tensor<4x2xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_indices with block_counts}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens block_counts(%cnt : tensor<4x2xi32>) : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// block_k needs block_indices.
func.func @paged_attention_block_k_needs_indices(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_indices with block_k}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens {block_k = 32 : i64} : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// block_indices needs block_k.
func.func @paged_attention_indices_need_block_k(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>, %idx: tensor<4x2x8xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_k with block_indices}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens block_indices(%idx : tensor<4x2x8xi32>) : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// block_indices must be rank 3 ([B, Hkv, MaxSel]).
func.func @paged_attention_indices_must_be_rank_3(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>, %idx: tensor<4x2x1x8xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_indices rank 3, got 4}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens block_indices(%idx : tensor<4x2x1x8xi32>) {block_k = 32 : i64} : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// block_counts must be rank 2 ([B, Hkv]).
func.func @paged_attention_counts_must_be_rank_2(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>, %idx: tensor<4x2x8xi32>, %cnt: tensor<4x2x1xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_counts rank 2, got 3}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens block_indices(%idx : tensor<4x2x8xi32>) block_counts(%cnt : tensor<4x2x1xi32>) {block_k = 32 : i64} : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// block_indices must be i32.
func.func @paged_attention_indices_must_be_i32(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>, %idx: tensor<4x2x8xi64>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_indices element type 'i32', got 'i64'}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens block_indices(%idx : tensor<4x2x8xi64>) {block_k = 32 : i64} : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// block_counts must be i32.
func.func @paged_attention_counts_must_be_i32(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>, %idx: tensor<4x2x8xi32>, %cnt: tensor<4x2xi64>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_counts element type 'i32', got 'i64'}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens block_indices(%idx : tensor<4x2x8xi32>) block_counts(%cnt : tensor<4x2xi64>) {block_k = 32 : i64} : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// block_k must be at least 1.
func.func @paged_attention_block_k_must_be_positive(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>, %idx: tensor<4x2x8xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_k to be at least 1, got 0}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens block_indices(%idx : tensor<4x2x8xi32>) {block_k = 0 : i64} : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// block_indices must be [B, Hkv, MaxSel].
func.func @paged_attention_indices_must_match_kv_heads(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>, %idx: tensor<4x8x8xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_indices shape [4, 2, ?], got [4, 8, 8]}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens block_indices(%idx : tensor<4x8x8xi32>) {block_k = 32 : i64} : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// block_counts must be block_indices' [B, Hkv].
func.func @paged_attention_counts_must_match_indices(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>, %idx: tensor<4x2x8xi32>, %cnt: tensor<3x2xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected block_counts shape [4, 2], got [3, 2]}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens block_indices(%idx : tensor<4x2x8xi32>) block_counts(%cnt : tensor<3x2xi32>) {block_k = 32 : i64} : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// Per-head slots have a row per kv head of the update.
func.func @cache_write_per_head_slots_must_match_update_heads(%cache: tensor<256x16x1x64xf16>, %update: tensor<4x2x1x64xf16>, %slots: tensor<4x4x1xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected update and slots head counts to match, got 2 and 4}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x1x64xf16>, tensor<4x2x1x64xf16>, tensor<4x4x1xi32>) -> tensor<256x16x1x64xf16>
  return
}

// -----

// With per-head slots a cache block holds every kv head or exactly one.
func.func @cache_write_per_head_cache_must_hold_every_head_or_one(%cache: tensor<256x16x3x64xf16>, %update: tensor<4x2x1x64xf16>, %slots: tensor<4x2x1xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected cache to hold every kv head or one per block (dim 2 of 2 or 1), got 3}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x3x64xf16>, tensor<4x2x1x64xf16>, tensor<4x2x1xi32>) -> tensor<256x16x3x64xf16>
  return
}

// -----

// Per-head slots [B, Hkv, S]: S is the update's sequence length.
func.func @cache_write_per_head_slots_must_match_update_length(%cache: tensor<256x16x1x64xf16>, %update: tensor<4x2x1x64xf16>, %slots: tensor<4x2x2xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected update and slots sequence lengths to match, got 1 and 2}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x1x64xf16>, tensor<4x2x1x64xf16>, tensor<4x2x2xi32>) -> tensor<256x16x1x64xf16>
  return
}

// -----

// slots must be [B, S] or per kv head [B, Hkv, S].
func.func @cache_write_slots_must_be_rank_2_or_3(%cache: tensor<256x16x1x64xf16>, %update: tensor<4x2x1x64xf16>, %slots: tensor<4x2x1x1xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected slots rank 2 or 3 (per kv head), got 4}}
  %result = tok.cache_write %cache, %update, %slots : (tensor<256x16x1x64xf16>, tensor<4x2x1x64xf16>, tensor<4x2x1x1xi32>) -> tensor<256x16x1x64xf16>
  return
}

// -----

// outputs must have rank at least 1.
func.func @lse_merge_outputs_must_have_rank_at_least_1(%output1: tensor<f32>, %lse1: tensor<f32>, %output2: tensor<f32>, %lse2: tensor<f32>) {
  // expected-error @+1 {{'tok.lse_merge' op expected output1 rank at least 1, got 0}}
  %out, %lse = tok.lse_merge %output1, %lse1, %output2, %lse2 : (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return
}

// -----

// output2 must have the rank of output1.
func.func @lse_merge_output2_must_have_the_rank_of_output1(%output1: tensor<1x8x16x64xf32>, %lse1: tensor<1x8x16xf32>, %output2: tensor<8x16x64xf32>, %lse2: tensor<1x8x16xf32>) {
  // expected-error @+1 {{'tok.lse_merge' op expected output2 rank 4 (the rank of output1), got 3}}
  %out, %lse = tok.lse_merge %output1, %lse1, %output2, %lse2 : (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>, tensor<8x16x64xf32>, tensor<1x8x16xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>)
  return
}

// -----

// lse1 has one dim fewer than output1.
func.func @lse_merge_lse1_has_one_dim_fewer_than_output1(%output1: tensor<1x8x16x64xf32>, %lse1: tensor<1x8x16x1xf32>, %output2: tensor<1x8x16x64xf32>, %lse2: tensor<1x8x16xf32>) {
  // expected-error @+1 {{'tok.lse_merge' op expected lse1 rank 3, got 4}}
  %out, %lse = tok.lse_merge %output1, %lse1, %output2, %lse2 : (tensor<1x8x16x64xf32>, tensor<1x8x16x1xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>)
  return
}

// -----

// lse2 has one dim fewer than output1.
func.func @lse_merge_lse2_has_one_dim_fewer_than_output1(%output1: tensor<1x8x16x64xf32>, %lse1: tensor<1x8x16xf32>, %output2: tensor<1x8x16x64xf32>, %lse2: tensor<1x8xf32>) {
  // expected-error @+1 {{'tok.lse_merge' op expected lse2 rank 3, got 2}}
  %out, %lse = tok.lse_merge %output1, %lse1, %output2, %lse2 : (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>, tensor<1x8x16x64xf32>, tensor<1x8xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>)
  return
}

// -----

// outputs must have a float element type.
func.func @lse_merge_outputs_must_have_a_float_element_type(%output1: tensor<1x8x16x64xi32>, %lse1: tensor<1x8x16xf32>, %output2: tensor<1x8x16x64xi32>, %lse2: tensor<1x8x16xf32>) {
  // expected-error @+1 {{'tok.lse_merge' op expected output1 element type f32, f16 or bf16, got 'i32'}}
  %out, %lse = tok.lse_merge %output1, %lse1, %output2, %lse2 : (tensor<1x8x16x64xi32>, tensor<1x8x16xf32>, tensor<1x8x16x64xi32>, tensor<1x8x16xf32>) -> (tensor<1x8x16x64xi32>, tensor<1x8x16xf32>)
  return
}

// -----

// lse1 must be f32.
func.func @lse_merge_lse1_must_be_f32(%output1: tensor<1x8x16x64xf32>, %lse1: tensor<1x8x16xf16>, %output2: tensor<1x8x16x64xf32>, %lse2: tensor<1x8x16xf16>) {
  // expected-error @+1 {{'tok.lse_merge' op expected lse1 element type 'f32', got 'f16'}}
  %out, %lse = tok.lse_merge %output1, %lse1, %output2, %lse2 : (tensor<1x8x16x64xf32>, tensor<1x8x16xf16>, tensor<1x8x16x64xf32>, tensor<1x8x16xf16>) -> (tensor<1x8x16x64xf32>, tensor<1x8x16xf16>)
  return
}

// -----

// output1 and output2 must have the same type.
func.func @lse_merge_output1_and_output2_must_have_the_same_type(%output1: tensor<1x8x16x64xf32>, %lse1: tensor<1x8x16xf32>, %output2: tensor<1x8x16x32xf32>, %lse2: tensor<1x8x16xf32>) {
  // expected-error @+1 {{'tok.lse_merge' op expected output1 and output2 types to match, got 'tensor<1x8x16x64xf32>' and 'tensor<1x8x16x32xf32>'}}
  %out, %lse = tok.lse_merge %output1, %lse1, %output2, %lse2 : (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>)
  return
}

// -----

// lse1 and lse2 must have the same type.
func.func @lse_merge_lse1_and_lse2_must_have_the_same_type(%output1: tensor<1x8x16x64xf32>, %lse1: tensor<1x8x16xf32>, %output2: tensor<1x8x16x64xf32>, %lse2: tensor<1x8x?xf32>) {
  // expected-error @+1 {{'tok.lse_merge' op expected lse1 and lse2 types to match, got 'tensor<1x8x16xf32>' and 'tensor<1x8x?xf32>'}}
  %out, %lse = tok.lse_merge %output1, %lse1, %output2, %lse2 : (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>, tensor<1x8x16x64xf32>, tensor<1x8x?xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>)
  return
}

// -----

// lse1 shape is output1 shape without the last dim.
func.func @lse_merge_lse1_shape_is_output1_shape_without_the_last_dim(%output1: tensor<1x8x16x64xf32>, %lse1: tensor<1x8x32xf32>, %output2: tensor<1x8x16x64xf32>, %lse2: tensor<1x8x32xf32>) {
  // expected-error @+1 {{'tok.lse_merge' op expected lse1 shape [1, 8, 16], got [1, 8, 32]}}
  %out, %lse = tok.lse_merge %output1, %lse1, %output2, %lse2 : (tensor<1x8x16x64xf32>, tensor<1x8x32xf32>, tensor<1x8x16x64xf32>, tensor<1x8x32xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x32xf32>)
  return
}

// -----

// the merged output has the type of output1.
func.func @lse_merge_the_merged_output_has_the_type_of_output1(%output1: tensor<1x8x16x64xf32>, %lse1: tensor<1x8x16xf32>, %output2: tensor<1x8x16x64xf32>, %lse2: tensor<1x8x16xf32>) {
  // expected-error @+1 {{'tok.lse_merge' op expected output1 and output types to match, got 'tensor<1x8x16x64xf32>' and 'tensor<1x8x16x64xf16>'}}
  %out, %lse = tok.lse_merge %output1, %lse1, %output2, %lse2 : (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16xf32>) -> (tensor<1x8x16x64xf16>, tensor<1x8x16xf32>)
  return
}

// -----

// the merged lse has the type of lse1.
func.func @lse_merge_the_merged_lse_has_the_type_of_lse1(%output1: tensor<1x8x16x64xf32>, %lse1: tensor<1x8x16xf32>, %output2: tensor<1x8x16x64xf32>, %lse2: tensor<1x8x16xf32>) {
  // expected-error @+1 {{'tok.lse_merge' op expected lse1 and lse types to match, got 'tensor<1x8x16xf32>' and 'tensor<1x8x?xf32>'}}
  %out, %lse = tok.lse_merge %output1, %lse1, %output2, %lse2 : (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x?xf32>)
  return
}

// -----

// x must be rank 3.
func.func @selective_scan_x_must_be_rank_3(%x: tensor<16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x rank 3, got 2}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// dt must be rank 3.
func.func @selective_scan_dt_must_be_rank_3(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64x1xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected dt rank 3, got 4}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64x1xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// A must be rank 2.
func.func @selective_scan_a_must_be_rank_2(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected A rank 2, got 1}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// B must be rank 4.
func.func @selective_scan_b_must_be_rank_4(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected B rank 4, got 3}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// C must be rank 4.
func.func @selective_scan_c_must_be_rank_4(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected C rank 4, got 3}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// D must be rank 1.
func.func @selective_scan_d_must_be_rank_1(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %D: tensor<64x1xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected D rank 1, got 2}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C D(%D : tensor<64x1xf32>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// z must be rank 3.
func.func @selective_scan_z_must_be_rank_3(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %z: tensor<2x16x64x1xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected z rank 3, got 4}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C z(%z : tensor<2x16x64x1xf32>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// dt_bias must be rank 1.
func.func @selective_scan_dt_bias_must_be_rank_1(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %dt_bias: tensor<1x64xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected dt_bias rank 1, got 2}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C dt_bias(%dt_bias : tensor<1x64xf32>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// init must be rank 3.
func.func @selective_scan_init_must_be_rank_3(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %init: tensor<2x64xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected init rank 3, got 2}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C init(%init : tensor<2x64xf32>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// y must be rank 3.
func.func @selective_scan_y_must_be_rank_3(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected y rank 3, got 4}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64x1xf32>
  return
}

// -----

// final_state must be rank 3.
func.func @selective_scan_final_state_must_be_rank_3(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected final_state rank 3, got 2}}
  %y, %final_state = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64xf32>)
  return
}

// -----

// x must have a float element type.
func.func @selective_scan_x_must_have_a_float_element_type(%x: tensor<2x16x64xi32>, %dt: tensor<2x16x64xi32>, %A: tensor<64x8xi32>, %B: tensor<2x16x1x8xi32>, %C: tensor<2x16x1x8xi32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x element type f32, f16 or bf16, got 'i32'}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xi32>, tensor<2x16x64xi32>, tensor<64x8xi32>, tensor<2x16x1x8xi32>, tensor<2x16x1x8xi32>) -> tensor<2x16x64xi32>
  return
}

// -----

// dt must have the element type of x.
func.func @selective_scan_dt_must_have_the_element_type_of_x(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf16>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x and dt element types to match, got 'f32' and 'f16'}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf16>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// A must have a float element type.
func.func @selective_scan_a_must_have_a_float_element_type(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xi32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected A element type f32, f16 or bf16, got 'i32'}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xi32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// B must have the element type of x.
func.func @selective_scan_b_must_have_the_element_type_of_x(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xbf16>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x and B element types to match, got 'f32' and 'bf16'}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xbf16>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// C must have the element type of x.
func.func @selective_scan_c_must_have_the_element_type_of_x(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf16>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x and C element types to match, got 'f32' and 'f16'}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf16>) -> tensor<2x16x64xf32>
  return
}

// -----

// D must have a float element type.
func.func @selective_scan_d_must_have_a_float_element_type(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %D: tensor<64xi32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected D element type f32, f16 or bf16, got 'i32'}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C D(%D : tensor<64xi32>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// z must have the element type of x.
func.func @selective_scan_z_must_have_the_element_type_of_x(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %z: tensor<2x16x64xf16>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x and z element types to match, got 'f32' and 'f16'}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C z(%z : tensor<2x16x64xf16>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// dt_bias must have a float element type.
func.func @selective_scan_dt_bias_must_have_a_float_element_type(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %dt_bias: tensor<64xf64>) {
  // expected-error @+1 {{'tok.selective_scan' op expected dt_bias element type f32, f16 or bf16, got 'f64'}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C dt_bias(%dt_bias : tensor<64xf64>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// y must have the element type of x.
func.func @selective_scan_y_must_have_the_element_type_of_x(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x and y element types to match, got 'f32' and 'f16'}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf16>
  return
}

// -----

// init must have a float element type.
func.func @selective_scan_init_must_have_a_float_element_type(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %init: tensor<2x64x8xi32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected init element type f32, f16 or bf16, got 'i32'}}
  %y, %final_state = tok.selective_scan %x, %dt, %A, %B, %C init(%init : tensor<2x64x8xi32>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xi32>)
  return
}

// -----

// final_state must have the element type of init.
func.func @selective_scan_final_state_must_have_the_element_type_of_init(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %init: tensor<2x64x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected init and final_state element types to match, got 'f32' and 'f16'}}
  %y, %final_state = tok.selective_scan %x, %dt, %A, %B, %C init(%init : tensor<2x64x8xf32>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xf16>)
  return
}

// -----

// final_state must have a float element type.
func.func @selective_scan_final_state_must_have_a_float_element_type(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected final_state element type f32, f16 or bf16, got 'i32'}}
  %y, %final_state = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x8xi32>)
  return
}

// -----

// x and dt must have the same shape.
func.func @selective_scan_x_and_dt_must_have_the_same_shape(%x: tensor<2x16x64xf32>, %dt: tensor<2x8x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x and dt shapes to match, got [2, 16, 64] and [2, 8, 64]}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x8x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// x and A channel counts must match.
func.func @selective_scan_x_and_a_channel_counts_must_match(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<32x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x and A channel counts to match, got 64 and 32}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<32x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// B and C must have the same shape.
func.func @selective_scan_b_and_c_must_have_the_same_shape(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x4xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected B and C shapes to match, got [2, 16, 1, 8] and [2, 16, 1, 4]}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x4xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// x and B batch sizes must match.
func.func @selective_scan_x_and_b_batch_sizes_must_match(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<1x16x1x8xf32>, %C: tensor<1x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x and B batch sizes to match, got 2 and 1}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<1x16x1x8xf32>, tensor<1x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// x and B sequence lengths must match.
func.func @selective_scan_x_and_b_sequence_lengths_must_match(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x8x1x8xf32>, %C: tensor<2x8x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x and B sequence lengths to match, got 16 and 8}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x8x1x8xf32>, tensor<2x8x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// A and B state sizes must match.
func.func @selective_scan_a_and_b_state_sizes_must_match(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x4xf32>, %C: tensor<2x16x1x4xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected A and B state sizes to match, got 8 and 4}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x4xf32>, tensor<2x16x1x4xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// channels must be a multiple of groups.
func.func @selective_scan_channels_must_be_a_multiple_of_groups(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x3x8xf32>, %C: tensor<2x16x3x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x channel count to be a multiple of B group count, got 64 and 3}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x3x8xf32>, tensor<2x16x3x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// D has one value per channel.
func.func @selective_scan_d_has_one_value_per_channel(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %D: tensor<32xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x and D channel counts to match, got 64 and 32}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C D(%D : tensor<32xf32>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// z has the shape of x.
func.func @selective_scan_z_has_the_shape_of_x(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %z: tensor<2x16x32xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x and z shapes to match, got [2, 16, 64] and [2, 16, 32]}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C z(%z : tensor<2x16x32xf32>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// dt_bias has one value per channel.
func.func @selective_scan_dt_bias_has_one_value_per_channel(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %dt_bias: tensor<128xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected x and dt_bias channel counts to match, got 64 and 128}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C dt_bias(%dt_bias : tensor<128xf32>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// init shape is [B, Dm, N].
func.func @selective_scan_init_shape_is_b_dm_n(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>, %init: tensor<2x64x4xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected init shape [2, 64, 8], got [2, 64, 4]}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C init(%init : tensor<2x64x4xf32>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// y shape is [B, L, Dm].
func.func @selective_scan_y_shape_is_b_l_dm(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected y shape [2, 16, 64], got [2, 8, 64]}}
  %y = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x8x64xf32>
  return
}

// -----

// final_state shape is [B, Dm, N].
func.func @selective_scan_final_state_shape_is_b_dm_n(%x: tensor<2x16x64xf32>, %dt: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %C: tensor<2x16x1x8xf32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected final_state shape [2, 64, 8], got [2, 8, 64]}}
  %y, %final_state = tok.selective_scan %x, %dt, %A, %B, %C : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> (tensor<2x16x64xf32>, tensor<2x8x64xf32>)
  return
}

// -----

// query must be rank 4.
func.func @linear_scan_query_must_be_rank_4(%query: tensor<4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected query rank 4, got 3}}
  %out = tok.linear_scan %query, %key, %value : (tensor<4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// key must be rank 4.
func.func @linear_scan_key_must_be_rank_4(%query: tensor<1x4x16x32xf32>, %key: tensor<4x16x32xf32>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected key rank 4, got 3}}
  %out = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// value must be rank 4.
func.func @linear_scan_value_must_be_rank_4(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected value rank 4, got 3}}
  %out = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// decay must be rank 3 or 4.
func.func @linear_scan_decay_must_be_rank_3_or_4(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %decay: tensor<1x4xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected decay rank 3 or 4, got 2}}
  %out = tok.linear_scan %query, %key, %value decay(%decay : tensor<1x4xf32>) : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// beta must be rank 3.
func.func @linear_scan_beta_must_be_rank_3(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %beta: tensor<1x4x16x1xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected beta rank 3, got 4}}
  %out = tok.linear_scan %query, %key, %value beta(%beta : tensor<1x4x16x1xf32>) {update = "delta"} : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// init must be rank 4.
func.func @linear_scan_init_must_be_rank_4(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %init: tensor<4x32x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected init rank 4, got 3}}
  %out = tok.linear_scan %query, %key, %value init(%init : tensor<4x32x64xf32>) : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// output must be rank 4.
func.func @linear_scan_output_must_be_rank_4(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected output rank 4, got 3}}
  %out = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<4x16x64xf32>
  return
}

// -----

// final_state must be rank 4.
func.func @linear_scan_final_state_must_be_rank_4(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected final_state rank 4, got 3}}
  %out, %final_state = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> (tensor<1x4x16x64xf32>, tensor<4x32x64xf32>)
  return
}

// -----

// query must have a float element type.
func.func @linear_scan_query_must_have_a_float_element_type(%query: tensor<1x4x16x32xi32>, %key: tensor<1x4x16x32xi32>, %value: tensor<1x4x16x64xi32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected query element type f32, f16 or bf16, got 'i32'}}
  %out = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xi32>, tensor<1x4x16x32xi32>, tensor<1x4x16x64xi32>) -> tensor<1x4x16x64xi32>
  return
}

// -----

// key must have the element type of query.
func.func @linear_scan_key_must_have_the_element_type_of_query(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf16>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected query and key element types to match, got 'f32' and 'f16'}}
  %out = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf16>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// value must have the element type of query.
func.func @linear_scan_value_must_have_the_element_type_of_query(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xbf16>) {
  // expected-error @+1 {{'tok.linear_scan' op expected query and value element types to match, got 'f32' and 'bf16'}}
  %out = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xbf16>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// decay must have a float element type.
func.func @linear_scan_decay_must_have_a_float_element_type(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %decay: tensor<1x4x16xi32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected decay element type f32, f16 or bf16, got 'i32'}}
  %out = tok.linear_scan %query, %key, %value decay(%decay : tensor<1x4x16xi32>) : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// beta must have a float element type.
func.func @linear_scan_beta_must_have_a_float_element_type(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %beta: tensor<1x4x16xf64>) {
  // expected-error @+1 {{'tok.linear_scan' op expected beta element type f32, f16 or bf16, got 'f64'}}
  %out = tok.linear_scan %query, %key, %value beta(%beta : tensor<1x4x16xf64>) {update = "delta"} : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// output must have the element type of query.
func.func @linear_scan_output_must_have_the_element_type_of_query(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected query and output element types to match, got 'f32' and 'f16'}}
  %out = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf16>
  return
}

// -----

// init must have a float element type.
func.func @linear_scan_init_must_have_a_float_element_type(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %init: tensor<1x4x32x64xi32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected init element type f32, f16 or bf16, got 'i32'}}
  %out = tok.linear_scan %query, %key, %value init(%init : tensor<1x4x32x64xi32>) : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// final_state must have the element type of init.
func.func @linear_scan_final_state_must_have_the_element_type_of_init(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %init: tensor<1x4x32x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected init and final_state element types to match, got 'f32' and 'bf16'}}
  %out, %final_state = tok.linear_scan %query, %key, %value init(%init : tensor<1x4x32x64xf32>) : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> (tensor<1x4x16x64xf32>, tensor<1x4x32x64xbf16>)
  return
}

// -----

// final_state must have a float element type.
func.func @linear_scan_final_state_must_have_a_float_element_type(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected final_state element type f32, f16 or bf16, got 'i32'}}
  %out, %final_state = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> (tensor<1x4x16x64xf32>, tensor<1x4x32x64xi32>)
  return
}

// -----

// query and key must have the same shape.
func.func @linear_scan_query_and_key_must_have_the_same_shape(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x16xf32>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected query and key shapes to match, got [1, 4, 16, 32] and [1, 4, 16, 16]}}
  %out = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x16xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// query and value batch sizes must match.
func.func @linear_scan_query_and_value_batch_sizes_must_match(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<2x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected query and value batch sizes to match, got 1 and 2}}
  %out = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<2x4x16x64xf32>) -> tensor<2x4x16x64xf32>
  return
}

// -----

// query and value head counts must match.
func.func @linear_scan_query_and_value_head_counts_must_match(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected query and value head counts to match, got 4 and 2}}
  %out = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x2x16x64xf32>) -> tensor<1x2x16x64xf32>
  return
}

// -----

// query and value sequence lengths must match.
func.func @linear_scan_query_and_value_sequence_lengths_must_match(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x8x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected query and value sequence lengths to match, got 16 and 8}}
  %out = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x8x64xf32>) -> tensor<1x4x8x64xf32>
  return
}

// -----

// a scalar decay is [B, H, L].
func.func @linear_scan_a_scalar_decay_is_b_h_l(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %decay: tensor<1x4x8xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected decay shape [1, 4, 16], got [1, 4, 8]}}
  %out = tok.linear_scan %query, %key, %value decay(%decay : tensor<1x4x8xf32>) : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// a per-channel decay is [B, H, L, Dk].
func.func @linear_scan_a_per_channel_decay_is_b_h_l_dk(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %decay: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected decay shape [1, 4, 16, 32], got [1, 4, 16, 64]}}
  %out = tok.linear_scan %query, %key, %value decay(%decay : tensor<1x4x16x64xf32>) : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// beta is [B, H, L].
func.func @linear_scan_beta_is_b_h_l(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %beta: tensor<1x4x8xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected beta shape [1, 4, 16], got [1, 4, 8]}}
  %out = tok.linear_scan %query, %key, %value beta(%beta : tensor<1x4x8xf32>) {update = "delta"} : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// init is [B, H, Dk, Dv].
func.func @linear_scan_init_is_b_h_dk_dv(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %init: tensor<1x4x64x32xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected init shape [1, 4, 32, 64], got [1, 4, 64, 32]}}
  %out = tok.linear_scan %query, %key, %value init(%init : tensor<1x4x64x32xf32>) : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// output is [B, H, L, Dv].
func.func @linear_scan_output_is_b_h_l_dv(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected output shape [1, 4, 16, 64], got [1, 4, 16, 32]}}
  %out = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x32xf32>
  return
}

// -----

// final_state is [B, H, Dk, Dv].
func.func @linear_scan_final_state_is_b_h_dk_dv(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected final_state shape [1, 4, 32, 64], got [1, 4, 64, 64]}}
  %out, %final_state = tok.linear_scan %query, %key, %value : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> (tensor<1x4x16x64xf32>, tensor<1x4x64x64xf32>)
  return
}

// -----

// update is additive or delta.
func.func @linear_scan_update_is_additive_or_delta(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected update to be one of "additive", "delta", got "gated"}}
  %out = tok.linear_scan %query, %key, %value {update = "gated"} : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// beta needs the delta rule.
func.func @linear_scan_beta_needs_the_delta_rule(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %beta: tensor<1x4x16xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected beta only with update = "delta"}}
  %out = tok.linear_scan %query, %key, %value beta(%beta : tensor<1x4x16xf32>) : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// beta needs the delta rule, not an explicit additive update.
func.func @linear_scan_beta_needs_the_delta_rule_not_an_explicit_additive_update(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>, %beta: tensor<1x4x16xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected beta only with update = "delta"}}
  %out = tok.linear_scan %query, %key, %value beta(%beta : tensor<1x4x16xf32>) {update = "additive"} : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// scale must be nonzero.
func.func @linear_scan_scale_must_be_nonzero(%query: tensor<1x4x16x32xf32>, %key: tensor<1x4x16x32xf32>, %value: tensor<1x4x16x64xf32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected scale to be finite and nonzero, got 0.000000e+00}}
  %out = tok.linear_scan %query, %key, %value {scale = 0.0 : f32} : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<1x4x16x64xf32>) -> tensor<1x4x16x64xf32>
  return
}

// -----

// at least one input.
func.func @assoc_scan_at_least_one_input() {
  // expected-error @+1 {{'tok.assoc_scan' op expected at least one input}}
  tok.assoc_scan  {dim = 0 : i64} : () -> () combine {
  ^bb0():
    tok.yield
  }
  return
}

// -----

// as many results as inputs.
func.func @assoc_scan_as_many_results_as_inputs(%in0: tensor<4x8xf32>, %in1: tensor<4x8xf32>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected as many results as inputs, got 1 and 2}}
  %r0 = tok.assoc_scan %in0, %in1 {dim = 0 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> (tensor<4x8xf32>) combine {
  ^bb0(%a0: f32, %a1: f32, %a2: f32, %a3: f32):
    tok.yield %a0, %a1 : f32, f32
  }
  return
}

// -----

// inputs must have the same rank.
func.func @assoc_scan_inputs_must_have_the_same_rank(%in0: tensor<4x8xf32>, %in1: tensor<32xf32>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected input 1 rank 2 (the rank of input 0), got 1}}
  %r0, %r1 = tok.assoc_scan %in0, %in1 {dim = 0 : i64} : (tensor<4x8xf32>, tensor<32xf32>) -> (tensor<4x8xf32>, tensor<32xf32>) combine {
  ^bb0(%a0: f32, %a1: f32, %a2: f32, %a3: f32):
    tok.yield %a0, %a1 : f32, f32
  }
  return
}

// -----

// inputs must have float or integer elements.
func.func @assoc_scan_inputs_must_have_float_or_integer_elements(%in0: tensor<4x8xindex>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected input 0 element type f32, f16, bf16 or integer, got 'index'}}
  %r0 = tok.assoc_scan %in0 {dim = 0 : i64} : (tensor<4x8xindex>) -> (tensor<4x8xindex>) combine {
  ^bb0(%a0: index, %a1: index):
    tok.yield %a0 : index
  }
  return
}

// -----

// f64 is not a tok float type.
func.func @assoc_scan_f64_is_not_a_tok_float_type(%in0: tensor<4x8xf64>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected input 0 element type f32, f16, bf16 or integer, got 'f64'}}
  %r0 = tok.assoc_scan %in0 {dim = 0 : i64} : (tensor<4x8xf64>) -> (tensor<4x8xf64>) combine {
  ^bb0(%a0: f64, %a1: f64):
    tok.yield %a0 : f64
  }
  return
}

// -----

// inputs must have the same shape.
func.func @assoc_scan_inputs_must_have_the_same_shape(%in0: tensor<4x8xf32>, %in1: tensor<4x4xf32>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected input 0 and input 1 shapes to match, got [4, 8] and [4, 4]}}
  %r0, %r1 = tok.assoc_scan %in0, %in1 {dim = 0 : i64} : (tensor<4x8xf32>, tensor<4x4xf32>) -> (tensor<4x8xf32>, tensor<4x4xf32>) combine {
  ^bb0(%a0: f32, %a1: f32, %a2: f32, %a3: f32):
    tok.yield %a0, %a1 : f32, f32
  }
  return
}

// -----

// results must have the types of the inputs.
func.func @assoc_scan_results_must_have_the_types_of_the_inputs(%in0: tensor<4x8xf32>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected input 0 and result 0 types to match, got 'tensor<4x8xf32>' and 'tensor<4x8xf16>'}}
  %r0 = tok.assoc_scan %in0 {dim = 0 : i64} : (tensor<4x8xf32>) -> (tensor<4x8xf16>) combine {
  ^bb0(%a0: f32, %a1: f32):
    tok.yield %a0 : f32
  }
  return
}

// -----

// dim must be below the rank.
func.func @assoc_scan_dim_must_be_below_the_rank(%in0: tensor<4x8xf32>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected dim to be in [0, 2), got 2}}
  %r0 = tok.assoc_scan %in0 {dim = 2 : i64} : (tensor<4x8xf32>) -> (tensor<4x8xf32>) combine {
  ^bb0(%a0: f32, %a1: f32):
    tok.yield %a0 : f32
  }
  return
}

// -----

// dim must be non-negative.
func.func @assoc_scan_dim_must_be_non_negative(%in0: tensor<4x8xf32>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected dim to be in [0, 2), got -1}}
  %r0 = tok.assoc_scan %in0 {dim = -1 : i64} : (tensor<4x8xf32>) -> (tensor<4x8xf32>) combine {
  ^bb0(%a0: f32, %a1: f32):
    tok.yield %a0 : f32
  }
  return
}

// -----

// combine takes 2N arguments.
func.func @assoc_scan_combine_takes_2n_arguments(%in0: tensor<4x8xf32>, %in1: tensor<4x8xf32>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected combine block to have 4 arguments, got 3}}
  %r0, %r1 = tok.assoc_scan %in0, %in1 {dim = 0 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) combine {
  ^bb0(%a0: f32, %a1: f32, %a2: f32):
    tok.yield %a0, %a1 : f32, f32
  }
  return
}

// -----

// combine arguments have the element types of the inputs.
func.func @assoc_scan_combine_arguments_have_the_element_types_of_the_inputs(%in0: tensor<4x8xf32>, %in1: tensor<4x8xi32>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected combine argument 3 type 'i32', got 'f32'}}
  %r0, %r1 = tok.assoc_scan %in0, %in1 {dim = 0 : i64} : (tensor<4x8xf32>, tensor<4x8xi32>) -> (tensor<4x8xf32>, tensor<4x8xi32>) combine {
  ^bb0(%a0: f32, %a1: i32, %a2: f32, %a3: f32):
    tok.yield %a0, %a1 : f32, i32
  }
  return
}

// -----

// combine must end with tok.yield.
func.func @assoc_scan_combine_must_end_with_tok_yield(%in0: tensor<4x8xf32>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected combine region to end with tok.yield}}
  %r0 = tok.assoc_scan %in0 {dim = 0 : i64} : (tensor<4x8xf32>) -> (tensor<4x8xf32>) combine {
  ^bb0(%a0: f32, %a1: f32):
    "test.terminator"(%a0) : (f32) -> ()
  }
  return
}

// -----

// combine yields N values.
func.func @assoc_scan_combine_yields_n_values(%in0: tensor<4x8xf32>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected combine to yield 1 value, got 2}}
  %r0 = tok.assoc_scan %in0 {dim = 0 : i64} : (tensor<4x8xf32>) -> (tensor<4x8xf32>) combine {
  ^bb0(%a0: f32, %a1: f32):
    tok.yield %a0, %a1 : f32, f32
  }
  return
}

// -----

// combine yields the element types of the inputs.
func.func @assoc_scan_combine_yields_the_element_types_of_the_inputs(%in0: tensor<4x8xf32>, %in1: tensor<4x8xi32>) {
  // expected-error @+1 {{'tok.assoc_scan' op expected combine yielded value 1 type 'i32', got 'f32'}}
  %r0, %r1 = tok.assoc_scan %in0, %in1 {dim = 0 : i64} : (tensor<4x8xf32>, tensor<4x8xi32>) -> (tensor<4x8xf32>, tensor<4x8xi32>) combine {
  ^bb0(%a0: f32, %a1: i32, %a2: f32, %a3: i32):
    tok.yield %a0, %a0 : f32, f32
  }
  return
}

// -----

// input must be rank 3.
func.func @conv1d_input_must_be_rank_3(%input: tensor<16x64xf32>, %weight: tensor<64x4xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected input rank 3, got 2}}
  %out = tok.conv1d %input, %weight : (tensor<16x64xf32>, tensor<64x4xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// weight must be rank 2.
func.func @conv1d_weight_must_be_rank_2(%input: tensor<2x16x64xf32>, %weight: tensor<64xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected weight rank 2, got 1}}
  %out = tok.conv1d %input, %weight : (tensor<2x16x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// bias must be rank 1.
func.func @conv1d_bias_must_be_rank_1(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>, %bias: tensor<1x64xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected bias rank 1, got 2}}
  %out = tok.conv1d %input, %weight bias(%bias : tensor<1x64xf32>) : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// init must be rank 3.
func.func @conv1d_init_must_be_rank_3(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>, %init: tensor<64x3xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected init rank 3, got 2}}
  %out = tok.conv1d %input, %weight init(%init : tensor<64x3xf32>) : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// output must be rank 3.
func.func @conv1d_output_must_be_rank_3(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected output rank 3, got 4}}
  %out = tok.conv1d %input, %weight : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> tensor<2x16x64x1xf32>
  return
}

// -----

// final_state must be rank 3.
func.func @conv1d_final_state_must_be_rank_3(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected final_state rank 3, got 2}}
  %out, %final_state = tok.conv1d %input, %weight : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> (tensor<2x16x64xf32>, tensor<64x3xf32>)
  return
}

// -----

// input must have a float element type.
func.func @conv1d_input_must_have_a_float_element_type(%input: tensor<2x16x64xi32>, %weight: tensor<64x4xi32>) {
  // expected-error @+1 {{'tok.conv1d' op expected input element type f32, f16 or bf16, got 'i32'}}
  %out = tok.conv1d %input, %weight : (tensor<2x16x64xi32>, tensor<64x4xi32>) -> tensor<2x16x64xi32>
  return
}

// -----

// weight must have the element type of input.
func.func @conv1d_weight_must_have_the_element_type_of_input(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf16>) {
  // expected-error @+1 {{'tok.conv1d' op expected input and weight element types to match, got 'f32' and 'f16'}}
  %out = tok.conv1d %input, %weight : (tensor<2x16x64xf32>, tensor<64x4xf16>) -> tensor<2x16x64xf32>
  return
}

// -----

// bias must have the element type of input.
func.func @conv1d_bias_must_have_the_element_type_of_input(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>, %bias: tensor<64xbf16>) {
  // expected-error @+1 {{'tok.conv1d' op expected input and bias element types to match, got 'f32' and 'bf16'}}
  %out = tok.conv1d %input, %weight bias(%bias : tensor<64xbf16>) : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// init must have the element type of input.
func.func @conv1d_init_must_have_the_element_type_of_input(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>, %init: tensor<2x64x3xf16>) {
  // expected-error @+1 {{'tok.conv1d' op expected input and init element types to match, got 'f32' and 'f16'}}
  %out = tok.conv1d %input, %weight init(%init : tensor<2x64x3xf16>) : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// output must have the element type of input.
func.func @conv1d_output_must_have_the_element_type_of_input(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected input and output element types to match, got 'f32' and 'f16'}}
  %out = tok.conv1d %input, %weight : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> tensor<2x16x64xf16>
  return
}

// -----

// final_state must have the element type of input.
func.func @conv1d_final_state_must_have_the_element_type_of_input(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected input and final_state element types to match, got 'f32' and 'f16'}}
  %out, %final_state = tok.conv1d %input, %weight : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x3xf16>)
  return
}

// -----

// input and weight channel counts must match.
func.func @conv1d_input_and_weight_channel_counts_must_match(%input: tensor<2x16x64xf32>, %weight: tensor<32x4xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected input and weight channel counts to match, got 64 and 32}}
  %out = tok.conv1d %input, %weight : (tensor<2x16x64xf32>, tensor<32x4xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// the kernel size must be at least 1.
func.func @conv1d_the_kernel_size_must_be_at_least_1(%input: tensor<2x16x64xf32>, %weight: tensor<64x0xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected weight kernel size at least 1, got 0}}
  %out, %final_state = tok.conv1d %input, %weight : (tensor<2x16x64xf32>, tensor<64x0xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x?xf32>)
  return
}

// -----

// bias has one value per channel.
func.func @conv1d_bias_has_one_value_per_channel(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>, %bias: tensor<32xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected input and bias channel counts to match, got 64 and 32}}
  %out = tok.conv1d %input, %weight bias(%bias : tensor<32xf32>) : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// init is [B, C, K - 1].
func.func @conv1d_init_is_b_c_k_1(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>, %init: tensor<2x64x4xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected init shape [2, 64, 3], got [2, 64, 4]}}
  %out = tok.conv1d %input, %weight init(%init : tensor<2x64x4xf32>) : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// output is [B, L, C].
func.func @conv1d_output_is_b_l_c(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected output shape [2, 16, 64], got [2, 8, 64]}}
  %out = tok.conv1d %input, %weight : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> tensor<2x8x64xf32>
  return
}

// -----

// final_state is [B, C, K - 1].
func.func @conv1d_final_state_is_b_c_k_1(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected final_state shape [2, 64, 3], got [2, 64, 4]}}
  %out, %final_state = tok.conv1d %input, %weight : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> (tensor<2x16x64xf32>, tensor<2x64x4xf32>)
  return
}

// -----

// activation is none or silu.
func.func @conv1d_activation_is_none_or_silu(%input: tensor<2x16x64xf32>, %weight: tensor<64x4xf32>) {
  // expected-error @+1 {{'tok.conv1d' op expected activation to be one of "none", "silu", got "relu"}}
  %out = tok.conv1d %input, %weight {activation = "relu"} : (tensor<2x16x64xf32>, tensor<64x4xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// input must be rank 4.
func.func @pool2d_input_must_be_rank_4(%input: tensor<56x56x64xf32>) {
  // expected-error @+1 {{'tok.pool2d' op expected input rank 4, got 3}}
  %out = tok.pool2d %input {kernel = 3 : i64} : (tensor<56x56x64xf32>) -> tensor<56x56x64xf32>
  return
}

// -----

// output must be rank 4.
func.func @pool2d_output_must_be_rank_4(%input: tensor<1x56x56x64xf32>) {
  // expected-error @+1 {{'tok.pool2d' op expected output rank 4, got 3}}
  %out = tok.pool2d %input {kernel = 3 : i64} : (tensor<1x56x56x64xf32>) -> tensor<56x56x64xf32>
  return
}

// -----

// input must have a float element type.
func.func @pool2d_input_must_have_a_float_element_type(%input: tensor<1x56x56x64xi8>) {
  // expected-error @+1 {{'tok.pool2d' op expected input element type f32, f16 or bf16, got 'i8'}}
  %out = tok.pool2d %input {kernel = 3 : i64} : (tensor<1x56x56x64xi8>) -> tensor<1x56x56x64xi8>
  return
}

// -----

// output has the type of input.
func.func @pool2d_output_has_the_type_of_input(%input: tensor<1x56x56x64xf32>) {
  // expected-error @+1 {{'tok.pool2d' op expected input and output types to match, got 'tensor<1x56x56x64xf32>' and 'tensor<1x28x28x64xf32>'}}
  %out = tok.pool2d %input {kernel = 3 : i64} : (tensor<1x56x56x64xf32>) -> tensor<1x28x28x64xf32>
  return
}

// -----

// kernel must be odd.
func.func @pool2d_kernel_must_be_odd(%input: tensor<1x56x56x64xf32>) {
  // expected-error @+1 {{'tok.pool2d' op expected kernel to be positive and odd, got 2}}
  %out = tok.pool2d %input {kernel = 2 : i64} : (tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32>
  return
}

// -----

// kernel must be positive.
func.func @pool2d_kernel_must_be_positive(%input: tensor<1x56x56x64xf32>) {
  // expected-error @+1 {{'tok.pool2d' op expected kernel to be positive and odd, got -1}}
  %out = tok.pool2d %input {kernel = -1 : i64} : (tensor<1x56x56x64xf32>) -> tensor<1x56x56x64xf32>
  return
}

// -----

// input must have rank at least 1.
func.func @linear_input_must_have_rank_at_least_1(%input: tensor<f32>, %weight: tensor<4096x1024xf32>) {
  // expected-error @+1 {{'tok.linear' op expected input rank at least 1, got 0}}
  %out = tok.linear %input, %weight : (tensor<f32>, tensor<4096x1024xf32>) -> tensor<4096xf32>
  return
}

// -----

// weight must be rank 2.
func.func @linear_weight_must_be_rank_2(%input: tensor<2x16x1024xf32>, %weight: tensor<4096x1024x1xf32>) {
  // expected-error @+1 {{'tok.linear' op expected weight rank 2, got 3}}
  %out = tok.linear %input, %weight : (tensor<2x16x1024xf32>, tensor<4096x1024x1xf32>) -> tensor<2x16x4096xf32>
  return
}

// -----

// bias must be rank 1.
func.func @linear_bias_must_be_rank_1(%input: tensor<2x16x1024xf32>, %weight: tensor<4096x1024xf32>, %bias: tensor<1x4096xf32>) {
  // expected-error @+1 {{'tok.linear' op expected bias rank 1, got 2}}
  %out = tok.linear %input, %weight bias(%bias : tensor<1x4096xf32>) : (tensor<2x16x1024xf32>, tensor<4096x1024xf32>) -> tensor<2x16x4096xf32>
  return
}

// -----

// output must have the rank of input.
func.func @linear_output_must_have_the_rank_of_input(%input: tensor<2x16x1024xf32>, %weight: tensor<4096x1024xf32>) {
  // expected-error @+1 {{'tok.linear' op expected output rank 3 (the rank of input), got 2}}
  %out = tok.linear %input, %weight : (tensor<2x16x1024xf32>, tensor<4096x1024xf32>) -> tensor<32x4096xf32>
  return
}

// -----

// input must have a float element type.
func.func @linear_input_must_have_a_float_element_type(%input: tensor<2x16x1024xi8>, %weight: tensor<4096x1024xi8>) {
  // expected-error @+1 {{'tok.linear' op expected input element type f32, f16 or bf16, got 'i8'}}
  %out = tok.linear %input, %weight : (tensor<2x16x1024xi8>, tensor<4096x1024xi8>) -> tensor<2x16x4096xi8>
  return
}

// -----

// weight must have the element type of input.
func.func @linear_weight_must_have_the_element_type_of_input(%input: tensor<2x16x1024xf32>, %weight: tensor<4096x1024xf16>) {
  // expected-error @+1 {{'tok.linear' op expected input and weight element types to match, got 'f32' and 'f16'}}
  %out = tok.linear %input, %weight : (tensor<2x16x1024xf32>, tensor<4096x1024xf16>) -> tensor<2x16x4096xf32>
  return
}

// -----

// bias must have the element type of input.
func.func @linear_bias_must_have_the_element_type_of_input(%input: tensor<2x16x1024xf32>, %weight: tensor<4096x1024xf32>, %bias: tensor<4096xf16>) {
  // expected-error @+1 {{'tok.linear' op expected input and bias element types to match, got 'f32' and 'f16'}}
  %out = tok.linear %input, %weight bias(%bias : tensor<4096xf16>) : (tensor<2x16x1024xf32>, tensor<4096x1024xf32>) -> tensor<2x16x4096xf32>
  return
}

// -----

// output must have the element type of input.
func.func @linear_output_must_have_the_element_type_of_input(%input: tensor<2x16x1024xf32>, %weight: tensor<4096x1024xf32>) {
  // expected-error @+1 {{'tok.linear' op expected input and output element types to match, got 'f32' and 'bf16'}}
  %out = tok.linear %input, %weight : (tensor<2x16x1024xf32>, tensor<4096x1024xf32>) -> tensor<2x16x4096xbf16>
  return
}

// -----

// input and weight in-feature counts must match.
func.func @linear_input_and_weight_in_feature_counts_must_match(%input: tensor<2x16x1024xf32>, %weight: tensor<4096x512xf32>) {
  // expected-error @+1 {{'tok.linear' op expected input and weight in-feature counts to match, got 1024 and 512}}
  %out = tok.linear %input, %weight : (tensor<2x16x1024xf32>, tensor<4096x512xf32>) -> tensor<2x16x4096xf32>
  return
}

// -----

// weight and bias out-feature counts must match.
func.func @linear_weight_and_bias_out_feature_counts_must_match(%input: tensor<2x16x1024xf32>, %weight: tensor<4096x1024xf32>, %bias: tensor<1024xf32>) {
  // expected-error @+1 {{'tok.linear' op expected weight and bias out-feature counts to match, got 4096 and 1024}}
  %out = tok.linear %input, %weight bias(%bias : tensor<1024xf32>) : (tensor<2x16x1024xf32>, tensor<4096x1024xf32>) -> tensor<2x16x4096xf32>
  return
}

// -----

// output is [..., N].
func.func @linear_output_is_n(%input: tensor<2x16x1024xf32>, %weight: tensor<4096x1024xf32>) {
  // expected-error @+1 {{'tok.linear' op expected output shape [2, 16, 4096], got [2, 16, 1024]}}
  %out = tok.linear %input, %weight : (tensor<2x16x1024xf32>, tensor<4096x1024xf32>) -> tensor<2x16x1024xf32>
  return
}

// -----

// rms_norm input must have rank at least 1.
func.func @rms_norm_input_must_have_rank_at_least_1(%input: tensor<f32>, %weight: tensor<1xf32>) {
  // expected-error @+1 {{'tok.rms_norm' op expected input rank at least 1, got 0}}
  %out = tok.rms_norm %input, %weight : (tensor<f32>, tensor<1xf32>) -> tensor<f32>
  return
}

// -----

// rms_norm weight must be rank 1.
func.func @rms_norm_weight_must_be_rank_1(%input: tensor<2x16x1024xf32>, %weight: tensor<1x1024xf32>) {
  // expected-error @+1 {{'tok.rms_norm' op expected weight rank 1, got 2}}
  %out = tok.rms_norm %input, %weight : (tensor<2x16x1024xf32>, tensor<1x1024xf32>) -> tensor<2x16x1024xf32>
  return
}

// -----

// rms_norm output must have the rank of input.
func.func @rms_norm_output_must_have_the_rank_of_input(%input: tensor<2x16x1024xf32>, %weight: tensor<1024xf32>) {
  // expected-error @+1 {{'tok.rms_norm' op expected output rank 3 (the rank of input), got 2}}
  %out = tok.rms_norm %input, %weight : (tensor<2x16x1024xf32>, tensor<1024xf32>) -> tensor<32x1024xf32>
  return
}

// -----

// rms_norm input must have a float element type.
func.func @rms_norm_input_must_have_a_float_element_type(%input: tensor<2x16x1024xi32>, %weight: tensor<1024xi32>) {
  // expected-error @+1 {{'tok.rms_norm' op expected input element type f32, f16 or bf16, got 'i32'}}
  %out = tok.rms_norm %input, %weight : (tensor<2x16x1024xi32>, tensor<1024xi32>) -> tensor<2x16x1024xi32>
  return
}

// -----

// rms_norm weight must have the element type of input.
func.func @rms_norm_weight_must_have_the_element_type_of_input(%input: tensor<2x16x1024xf32>, %weight: tensor<1024xbf16>) {
  // expected-error @+1 {{'tok.rms_norm' op expected input and weight element types to match, got 'f32' and 'bf16'}}
  %out = tok.rms_norm %input, %weight : (tensor<2x16x1024xf32>, tensor<1024xbf16>) -> tensor<2x16x1024xf32>
  return
}

// -----

// rms_norm weight size is the normalized dim.
func.func @rms_norm_weight_size_is_the_normalized_dim(%input: tensor<2x16x1024xf32>, %weight: tensor<512xf32>) {
  // expected-error @+1 {{'tok.rms_norm' op expected input and weight normalized sizes to match, got 1024 and 512}}
  %out = tok.rms_norm %input, %weight : (tensor<2x16x1024xf32>, tensor<512xf32>) -> tensor<2x16x1024xf32>
  return
}

// -----

// rms_norm output has the type of input.
func.func @rms_norm_output_has_the_type_of_input(%input: tensor<2x16x1024xf32>, %weight: tensor<1024xf32>) {
  // expected-error @+1 {{'tok.rms_norm' op expected input and output types to match, got 'tensor<2x16x1024xf32>' and 'tensor<2x?x1024xf32>'}}
  %out = tok.rms_norm %input, %weight : (tensor<2x16x1024xf32>, tensor<1024xf32>) -> tensor<2x?x1024xf32>
  return
}

// -----

// rms_norm eps must be positive.
func.func @rms_norm_eps_must_be_positive(%input: tensor<2x16x1024xf32>, %weight: tensor<1024xf32>) {
  // expected-error @+1 {{'tok.rms_norm' op expected eps to be positive, got 0.000000e+00}}
  %out = tok.rms_norm %input, %weight {eps = 0.0 : f32} : (tensor<2x16x1024xf32>, tensor<1024xf32>) -> tensor<2x16x1024xf32>
  return
}

// -----

// layer_norm bias must be rank 1.
func.func @layer_norm_bias_must_be_rank_1(%input: tensor<2x16x1024xf32>, %weight: tensor<1024xf32>, %bias: tensor<1x1024xf32>) {
  // expected-error @+1 {{'tok.layer_norm' op expected bias rank 1, got 2}}
  %out = tok.layer_norm %input, %weight, %bias : (tensor<2x16x1024xf32>, tensor<1024xf32>, tensor<1x1024xf32>) -> tensor<2x16x1024xf32>
  return
}

// -----

// layer_norm bias must have the element type of input.
func.func @layer_norm_bias_must_have_the_element_type_of_input(%input: tensor<2x16x1024xf32>, %weight: tensor<1024xf32>, %bias: tensor<1024xf16>) {
  // expected-error @+1 {{'tok.layer_norm' op expected input and bias element types to match, got 'f32' and 'f16'}}
  %out = tok.layer_norm %input, %weight, %bias : (tensor<2x16x1024xf32>, tensor<1024xf32>, tensor<1024xf16>) -> tensor<2x16x1024xf32>
  return
}

// -----

// layer_norm bias size is the normalized dim.
func.func @layer_norm_bias_size_is_the_normalized_dim(%input: tensor<2x16x1024xf32>, %weight: tensor<1024xf32>, %bias: tensor<512xf32>) {
  // expected-error @+1 {{'tok.layer_norm' op expected input and bias normalized sizes to match, got 1024 and 512}}
  %out = tok.layer_norm %input, %weight, %bias : (tensor<2x16x1024xf32>, tensor<1024xf32>, tensor<512xf32>) -> tensor<2x16x1024xf32>
  return
}

// -----

// layer_norm eps must be positive.
func.func @layer_norm_eps_must_be_positive(%input: tensor<2x16x1024xf32>, %weight: tensor<1024xf32>, %bias: tensor<1024xf32>) {
  // expected-error @+1 {{'tok.layer_norm' op expected eps to be positive, got -1.000000e-05}}
  %out = tok.layer_norm %input, %weight, %bias {eps = -1.0e-5 : f32} : (tensor<2x16x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) -> tensor<2x16x1024xf32>
  return
}

// -----

// input must be rank 4.
func.func @rope_input_must_be_rank_4(%input: tensor<8x16x128xf32>, %positions: tensor<1x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected input rank 4, got 3}}
  %out = tok.rope %input, %positions : (tensor<8x16x128xf32>, tensor<1x16xi32>) -> tensor<1x8x16x128xf32>
  return
}

// -----

// positions must be rank 2.
func.func @rope_positions_must_be_rank_2(%input: tensor<1x8x16x128xf32>, %positions: tensor<16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected positions rank 2, got 1}}
  %out = tok.rope %input, %positions : (tensor<1x8x16x128xf32>, tensor<16xi32>) -> tensor<1x8x16x128xf32>
  return
}

// -----

// output must be rank 4.
func.func @rope_output_must_be_rank_4(%input: tensor<1x8x16x128xf32>, %positions: tensor<1x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected output rank 4, got 3}}
  %out = tok.rope %input, %positions : (tensor<1x8x16x128xf32>, tensor<1x16xi32>) -> tensor<8x16x128xf32>
  return
}

// -----

// input must have a float element type.
func.func @rope_input_must_have_a_float_element_type(%input: tensor<1x8x16x128xi32>, %positions: tensor<1x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected input element type f32, f16 or bf16, got 'i32'}}
  %out = tok.rope %input, %positions : (tensor<1x8x16x128xi32>, tensor<1x16xi32>) -> tensor<1x8x16x128xi32>
  return
}

// -----

// positions must be i32.
func.func @rope_positions_must_be_i32(%input: tensor<1x8x16x128xf32>, %positions: tensor<1x16xi64>) {
  // expected-error @+1 {{'tok.rope' op expected positions element type 'i32', got 'i64'}}
  %out = tok.rope %input, %positions : (tensor<1x8x16x128xf32>, tensor<1x16xi64>) -> tensor<1x8x16x128xf32>
  return
}

// -----

// input and positions batch sizes must match.
func.func @rope_input_and_positions_batch_sizes_must_match(%input: tensor<1x8x16x128xf32>, %positions: tensor<2x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected input and positions batch sizes to match, got 1 and 2}}
  %out = tok.rope %input, %positions : (tensor<1x8x16x128xf32>, tensor<2x16xi32>) -> tensor<1x8x16x128xf32>
  return
}

// -----

// input and positions sequence lengths must match.
func.func @rope_input_and_positions_sequence_lengths_must_match(%input: tensor<1x8x16x128xf32>, %positions: tensor<1x8xi32>) {
  // expected-error @+1 {{'tok.rope' op expected input and positions sequence lengths to match, got 16 and 8}}
  %out = tok.rope %input, %positions : (tensor<1x8x16x128xf32>, tensor<1x8xi32>) -> tensor<1x8x16x128xf32>
  return
}

// -----

// output has the type of input.
func.func @rope_output_has_the_type_of_input(%input: tensor<1x8x16x128xf32>, %positions: tensor<1x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected input and output types to match, got 'tensor<1x8x16x128xf32>' and 'tensor<1x8x16x128xf16>'}}
  %out = tok.rope %input, %positions : (tensor<1x8x16x128xf32>, tensor<1x16xi32>) -> tensor<1x8x16x128xf16>
  return
}

// -----

// rotary_dim must be even.
func.func @rope_rotary_dim_must_be_even(%input: tensor<1x8x16x128xf32>, %positions: tensor<1x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected rotary_dim to be even and at least 2, got 63}}
  %out = tok.rope %input, %positions {rotary_dim = 63 : i64} : (tensor<1x8x16x128xf32>, tensor<1x16xi32>) -> tensor<1x8x16x128xf32>
  return
}

// -----

// inv_freq replaces theta: one of the two.
func.func @rope_inv_freq_excludes_theta(%input: tensor<1x2x16x8xf32>, %positions: tensor<1x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected theta or inv_freq, not both}}
  %out = tok.rope %input, %positions {theta = 10000.0 : f32, inv_freq = array<f32: 1.0, 0.1, 0.01, 0.001>} : (tensor<1x2x16x8xf32>, tensor<1x16xi32>) -> tensor<1x2x16x8xf32>
  return
}

// -----

// inv_freq holds one value per rotated pair.
func.func @rope_inv_freq_size_must_be_half_rotary_dim(%input: tensor<1x2x16x8xf32>, %positions: tensor<1x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected 4 inv_freq values (rotary_dim / 2), got 3}}
  %out = tok.rope %input, %positions {inv_freq = array<f32: 1.0, 0.1, 0.01>} : (tensor<1x2x16x8xf32>, tensor<1x16xi32>) -> tensor<1x2x16x8xf32>
  return
}

// -----

// inv_freq values are finite and non-negative.
func.func @rope_inv_freq_must_be_non_negative(%input: tensor<1x2x16x8xf32>, %positions: tensor<1x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected inv_freq values to be finite and non-negative, got -1.000000e-01}}
  %out = tok.rope %input, %positions {rotary_dim = 4 : i64, inv_freq = array<f32: 1.0, -0.1>} : (tensor<1x2x16x8xf32>, tensor<1x16xi32>) -> tensor<1x2x16x8xf32>
  return
}

// -----

// rotary_dim must be at least 2.
func.func @rope_rotary_dim_must_be_at_least_2(%input: tensor<1x8x16x128xf32>, %positions: tensor<1x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected rotary_dim to be even and at least 2, got 0}}
  %out = tok.rope %input, %positions {rotary_dim = 0 : i64} : (tensor<1x8x16x128xf32>, tensor<1x16xi32>) -> tensor<1x8x16x128xf32>
  return
}

// -----

// rotary_dim must not exceed the head dim.
func.func @rope_rotary_dim_must_not_exceed_the_head_dim(%input: tensor<1x8x16x128xf32>, %positions: tensor<1x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected rotary_dim to be at most the input head dim 128, got 256}}
  %out = tok.rope %input, %positions {rotary_dim = 256 : i64} : (tensor<1x8x16x128xf32>, tensor<1x16xi32>) -> tensor<1x8x16x128xf32>
  return
}

// -----

// the head dim must be even without rotary_dim.
func.func @rope_the_head_dim_must_be_even_without_rotary_dim(%input: tensor<1x8x16x127xf32>, %positions: tensor<1x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected input head dim to be even without rotary_dim, got 127}}
  %out = tok.rope %input, %positions : (tensor<1x8x16x127xf32>, tensor<1x16xi32>) -> tensor<1x8x16x127xf32>
  return
}

// -----

// theta must be positive.
func.func @rope_theta_must_be_positive(%input: tensor<1x8x16x128xf32>, %positions: tensor<1x16xi32>) {
  // expected-error @+1 {{'tok.rope' op expected theta to be positive, got -1.000000e+04}}
  %out = tok.rope %input, %positions {theta = -1.0e4 : f32} : (tensor<1x8x16x128xf32>, tensor<1x16xi32>) -> tensor<1x8x16x128xf32>
  return
}

// -----

// input must have rank at least 1.
func.func @glu_input_must_have_rank_at_least_1(%input: tensor<f32>) {
  // expected-error @+1 {{'tok.glu' op expected input rank at least 1, got 0}}
  %out = tok.glu %input : (tensor<f32>) -> tensor<f32>
  return
}

// -----

// output must have the rank of input.
func.func @glu_output_must_have_the_rank_of_input(%input: tensor<2x16x8192xf32>) {
  // expected-error @+1 {{'tok.glu' op expected output rank 3 (the rank of input), got 2}}
  %out = tok.glu %input : (tensor<2x16x8192xf32>) -> tensor<32x4096xf32>
  return
}

// -----

// input must have a float element type.
func.func @glu_input_must_have_a_float_element_type(%input: tensor<2x16x8192xi32>) {
  // expected-error @+1 {{'tok.glu' op expected input element type f32, f16 or bf16, got 'i32'}}
  %out = tok.glu %input : (tensor<2x16x8192xi32>) -> tensor<2x16x4096xi32>
  return
}

// -----

// output must have the element type of input.
func.func @glu_output_must_have_the_element_type_of_input(%input: tensor<2x16x8192xf32>) {
  // expected-error @+1 {{'tok.glu' op expected input and output element types to match, got 'f32' and 'f16'}}
  %out = tok.glu %input : (tensor<2x16x8192xf32>) -> tensor<2x16x4096xf16>
  return
}

// -----

// the last input dim must be even.
func.func @glu_the_last_input_dim_must_be_even(%input: tensor<2x16x8191xf32>) {
  // expected-error @+1 {{'tok.glu' op expected input last dim to be even, got 8191}}
  %out = tok.glu %input : (tensor<2x16x8191xf32>) -> tensor<2x16x4096xf32>
  return
}

// -----

// the last output dim is half the input one.
func.func @glu_the_last_output_dim_is_half_the_input_one(%input: tensor<2x16x8192xf32>) {
  // expected-error @+1 {{'tok.glu' op expected output shape [2, 16, 4096], got [2, 16, 8192]}}
  %out = tok.glu %input : (tensor<2x16x8192xf32>) -> tensor<2x16x8192xf32>
  return
}

// -----

// the other dims are unchanged.
func.func @glu_the_other_dims_are_unchanged(%input: tensor<2x16x8192xf32>) {
  // expected-error @+1 {{'tok.glu' op expected output shape [2, 16, 4096], got [2, 8, 4096]}}
  %out = tok.glu %input : (tensor<2x16x8192xf32>) -> tensor<2x8x4096xf32>
  return
}

// -----

// activation is one of the glu activations.
func.func @glu_activation_is_one_of_the_glu_activations(%input: tensor<2x16x8192xf32>) {
  // expected-error @+1 {{'tok.glu' op expected activation to be one of "silu", "gelu", "gelu_tanh", "relu", "sigmoid", got "softplus"}}
  %out = tok.glu %input {activation = "softplus"} : (tensor<2x16x8192xf32>) -> tensor<2x16x4096xf32>
  return
}

// -----

// output must have the rank of input.
func.func @activation_output_must_have_the_rank_of_input(%input: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'tok.activation' op expected output rank 3 (the rank of input), got 2}}
  %out = tok.activation %input {kind = "silu"} : (tensor<2x16x64xf32>) -> tensor<32x64xf32>
  return
}

// -----

// input must have a float element type.
func.func @activation_input_must_have_a_float_element_type(%input: tensor<2x16x64xi32>) {
  // expected-error @+1 {{'tok.activation' op expected input element type f32, f16 or bf16, got 'i32'}}
  %out = tok.activation %input {kind = "silu"} : (tensor<2x16x64xi32>) -> tensor<2x16x64xi32>
  return
}

// -----

// output has the type of input.
func.func @activation_output_has_the_type_of_input(%input: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'tok.activation' op expected input and output types to match, got 'tensor<2x16x64xf32>' and 'tensor<2x16x64xf16>'}}
  %out = tok.activation %input {kind = "silu"} : (tensor<2x16x64xf32>) -> tensor<2x16x64xf16>
  return
}

// -----

// kind is one of the activation kinds.
func.func @activation_kind_is_one_of_the_activation_kinds(%input: tensor<2x16x64xf32>) {
  // expected-error @+1 {{'tok.activation' op expected kind to be one of "silu", "gelu", "gelu_tanh", "relu", "sigmoid", "softplus", "elu", "tanh", got "swish"}}
  %out = tok.activation %input {kind = "swish"} : (tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// table must be rank 2.
func.func @embedding_table_must_be_rank_2(%ids: tensor<2x16xi32>, %table: tensor<32000xf32>) {
  // expected-error @+1 {{'tok.embedding' op expected table rank 2, got 1}}
  %out = tok.embedding %ids, %table : (tensor<2x16xi32>, tensor<32000xf32>) -> tensor<2x16x1024xf32>
  return
}

// -----

// output rank is the ids rank plus one.
func.func @embedding_output_rank_is_the_ids_rank_plus_one(%ids: tensor<2x16xi32>, %table: tensor<32000x1024xf32>) {
  // expected-error @+1 {{'tok.embedding' op expected output rank 3, got 2}}
  %out = tok.embedding %ids, %table : (tensor<2x16xi32>, tensor<32000x1024xf32>) -> tensor<32x1024xf32>
  return
}

// -----

// ids must be i32 or i64.
func.func @embedding_ids_must_be_i32_or_i64(%ids: tensor<2x16xi16>, %table: tensor<32000x1024xf32>) {
  // expected-error @+1 {{'tok.embedding' op expected ids element type i32 or i64, got 'i16'}}
  %out = tok.embedding %ids, %table : (tensor<2x16xi16>, tensor<32000x1024xf32>) -> tensor<2x16x1024xf32>
  return
}

// -----

// table must have a float element type.
func.func @embedding_table_must_have_a_float_element_type(%ids: tensor<2x16xi32>, %table: tensor<32000x1024xi8>) {
  // expected-error @+1 {{'tok.embedding' op expected table element type f32, f16 or bf16, got 'i8'}}
  %out = tok.embedding %ids, %table : (tensor<2x16xi32>, tensor<32000x1024xi8>) -> tensor<2x16x1024xi8>
  return
}

// -----

// output must have the element type of table.
func.func @embedding_output_must_have_the_element_type_of_table(%ids: tensor<2x16xi32>, %table: tensor<32000x1024xf32>) {
  // expected-error @+1 {{'tok.embedding' op expected table and output element types to match, got 'f32' and 'f16'}}
  %out = tok.embedding %ids, %table : (tensor<2x16xi32>, tensor<32000x1024xf32>) -> tensor<2x16x1024xf16>
  return
}

// -----

// output is ids shape + [E].
func.func @embedding_output_is_ids_shape_e(%ids: tensor<2x16xi32>, %table: tensor<32000x1024xf32>) {
  // expected-error @+1 {{'tok.embedding' op expected output shape [2, 16, 1024], got [2, 16, 512]}}
  %out = tok.embedding %ids, %table : (tensor<2x16xi32>, tensor<32000x1024xf32>) -> tensor<2x16x512xf32>
  return
}

// -----

// seq_starts packs sequences of a batch of one.
func.func @selective_scan_seq_starts_needs_batch_1(%x: tensor<2x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<2x16x1x8xf32>, %cu: tensor<3xi32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected batch size 1 with seq_starts, got 2}}
  %y = tok.selective_scan %x, %x, %A, %B, %B seq_starts(%cu : tensor<3xi32>) : (tensor<2x16x64xf32>, tensor<2x16x64xf32>, tensor<64x8xf32>, tensor<2x16x1x8xf32>, tensor<2x16x1x8xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// The final state has one row per sequence.
func.func @selective_scan_seq_starts_state_rows(%x: tensor<1x16x64xf32>, %A: tensor<64x8xf32>, %B: tensor<1x16x1x8xf32>, %cu: tensor<3xi32>) {
  // expected-error @+1 {{'tok.selective_scan' op expected final_state shape [2, 64, 8], got [1, 64, 8]}}
  %y, %h = tok.selective_scan %x, %x, %A, %B, %B seq_starts(%cu : tensor<3xi32>) : (tensor<1x16x64xf32>, tensor<1x16x64xf32>, tensor<64x8xf32>, tensor<1x16x1x8xf32>, tensor<1x16x1x8xf32>) -> (tensor<1x16x64xf32>, tensor<1x64x8xf32>)
  return
}

// -----

// seq_starts holds i32 offsets.
func.func @linear_scan_seq_starts_i32(%q: tensor<1x2x16x8xf32>, %cu: tensor<3xi64>) {
  // expected-error @+1 {{'tok.linear_scan' op expected seq_starts element type 'i32', got 'i64'}}
  %o = tok.linear_scan %q, %q, %q seq_starts(%cu : tensor<3xi64>) : (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return
}

// -----

// seq_starts is a vector of offsets.
func.func @linear_scan_seq_starts_rank_1(%q: tensor<1x2x16x8xf32>, %cu: tensor<1x3xi32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected seq_starts rank 1, got 2}}
  %o = tok.linear_scan %q, %q, %q seq_starts(%cu : tensor<1x3xi32>) : (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return
}

// -----

// The init state has one row per sequence.
func.func @linear_scan_seq_starts_init_rows(%q: tensor<1x2x16x8xf32>, %s0: tensor<1x2x8x8xf32>, %cu: tensor<4xi32>) {
  // expected-error @+1 {{'tok.linear_scan' op expected init shape [3, 2, 8, 8], got [1, 2, 8, 8]}}
  %o = tok.linear_scan %q, %q, %q init(%s0 : tensor<1x2x8x8xf32>) seq_starts(%cu : tensor<4xi32>) : (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return
}

// -----

// At least one sequence: two offsets.
func.func @conv1d_seq_starts_length(%x: tensor<1x16x64xf32>, %w: tensor<64x4xf32>, %cu: tensor<1xi32>) {
  // expected-error @+1 {{'tok.conv1d' op expected seq_starts length at least 2, got 1}}
  %y = tok.conv1d %x, %w seq_starts(%cu : tensor<1xi32>) : (tensor<1x16x64xf32>, tensor<64x4xf32>) -> tensor<1x16x64xf32>
  return
}

// -----

// conv1d's state rows follow the sequences too.
func.func @conv1d_seq_starts_state_rows(%x: tensor<1x16x64xf32>, %w: tensor<64x4xf32>, %cu: tensor<3xi32>) {
  // expected-error @+1 {{'tok.conv1d' op expected final_state shape [2, 64, 3], got [1, 64, 3]}}
  %y, %s = tok.conv1d %x, %w seq_starts(%cu : tensor<3xi32>) : (tensor<1x16x64xf32>, tensor<64x4xf32>) -> (tensor<1x16x64xf32>, tensor<1x64x3xf32>)
  return
}

// -----

// stats_window needs a stats result.
func.func @attention_stats_window_requires_stats(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected a stats result with stats_window}}
  %out = tok.attention %query, %key, %value {stats_window = 4 : i64} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// stats_per_query_head needs a stats result.
func.func @attention_stats_per_query_head_requires_stats(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected a stats result with stats_per_query_head}}
  %out, %lse = tok.attention %query, %key, %value {stats_per_query_head} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>)
  return
}

// -----

// stats must be rank 3.
func.func @attention_stats_must_be_rank_3(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected stats rank 3, got 2}}
  %out, %s = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> (tensor<1x8x16x64xf32>, stats tensor<2x16xf32>)
  return
}

// -----

// stats are f32 whatever the inputs.
func.func @attention_stats_must_be_f32(%query: tensor<1x8x16x64xf16>, %key: tensor<1x2x16x64xf16>, %value: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{'tok.attention' op expected stats element type 'f32', got 'f16'}}
  %out, %s = tok.attention %query, %key, %value : (tensor<1x8x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) -> (tensor<1x8x16x64xf16>, stats tensor<1x2x16xf16>)
  return
}

// -----

// stats summed per kv head are [B, Hkv, Skv].
func.func @attention_stats_shape_per_kv_head(%query: tensor<1x8x4x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected stats shape [1, 2, 16], got [1, 8, 16]}}
  %out, %s = tok.attention %query, %key, %value : (tensor<1x8x4x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> (tensor<1x8x4x64xf32>, stats tensor<1x8x16xf32>)
  return
}

// -----

// stats per query head are [B, Hq, Skv].
func.func @attention_stats_shape_per_query_head(%query: tensor<1x8x4x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected stats shape [1, 8, 16], got [1, 2, 4]}}
  %out, %s = tok.attention %query, %key, %value {stats_per_query_head} : (tensor<1x8x4x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> (tensor<1x8x4x64xf32>, stats tensor<1x2x4xf32>)
  return
}

// -----

// stats_window must be at least 1 (W = 0 would count no row).
func.func @attention_stats_window_must_be_at_least_1(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected stats_window to be at least 1, got 0}}
  %out, %s = tok.attention %query, %key, %value {stats_window = 0 : i64} : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> (tensor<1x8x16x64xf32>, stats tensor<1x2x16xf32>)
  return
}

// -----

// A third result type needs the stats keyword.
func.func @attention_third_result_needs_stats_keyword(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{expected 'stats' before a third result type}}
  %out, %lse, %s = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> (tensor<1x8x16x64xf32>, tensor<1x8x16xf32>, tensor<1x2x16xf32>)
  return
}

// -----

// The stats type comes last.
func.func @attention_stats_type_comes_last(%query: tensor<1x8x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{expected ')' after the stats type}}
  %out, %lse, %s = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> (tensor<1x8x16x64xf32>, stats tensor<1x2x16xf32>, tensor<1x8x16xf32>)
  return
}

// -----

// stats_per_query_head of paged attention needs a stats result.
func.func @paged_attention_stats_per_query_head_requires_stats(%query: tensor<4x8x1x64xf32>, %key_cache: tensor<256x16x2x64xf32>, %value_cache: tensor<256x16x2x64xf32>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected a stats result with stats_per_query_head}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens {stats_per_query_head} : (tensor<4x8x1x64xf32>, tensor<256x16x2x64xf32>, tensor<256x16x2x64xf32>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf32>
  return
}

// -----

// Paged stats must be rank 3.
func.func @paged_attention_stats_must_be_rank_3(%query: tensor<4x8x1x64xf32>, %key_cache: tensor<256x16x2x64xf32>, %value_cache: tensor<256x16x2x64xf32>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected stats rank 3, got 2}}
  %out, %s = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf32>, tensor<256x16x2x64xf32>, tensor<256x16x2x64xf32>, tensor<4x32xi32>, tensor<4xi32>) -> (tensor<4x8x1x64xf32>, stats tensor<4x512xf32>)
  return
}

// -----

// Paged stats are f32 whatever the caches.
func.func @paged_attention_stats_must_be_f32(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected stats element type 'f32', got 'f16'}}
  %out, %s = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> (tensor<4x8x1x64xf16>, stats tensor<4x2x512xf16>)
  return
}

// -----

// Paged stats summed per kv head are [B, Hkv, MaxBlocks * BlockSize].
func.func @paged_attention_stats_shape_per_kv_head(%query: tensor<4x8x1x64xf32>, %key_cache: tensor<256x16x2x64xf32>, %value_cache: tensor<256x16x2x64xf32>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected stats shape [4, 2, 512], got [4, 2, 32]}}
  %out, %s = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf32>, tensor<256x16x2x64xf32>, tensor<256x16x2x64xf32>, tensor<4x32xi32>, tensor<4xi32>) -> (tensor<4x8x1x64xf32>, stats tensor<4x2x32xf32>)
  return
}

// -----

// Paged stats per query head are [B, Hq, MaxRows]; with per-head lens and
// tables MaxRows counts the rows of one head's table.
func.func @paged_attention_stats_shape_per_query_head(%query: tensor<2x8x1x64xf32>, %key_cache: tensor<64x16x1x64xf32>, %value_cache: tensor<64x16x1x64xf32>, %block_table: tensor<2x2x8xi32>, %lens: tensor<2x2xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected stats shape [2, 8, 128], got [2, 2, 128]}}
  %out, %s = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens {stats_per_query_head} : (tensor<2x8x1x64xf32>, tensor<64x16x1x64xf32>, tensor<64x16x1x64xf32>, tensor<2x2x8xi32>, tensor<2x2xi32>) -> (tensor<2x8x1x64xf32>, stats tensor<2x2x128xf32>)
  return
}

// -----

// The paged stats type needs the stats keyword.
func.func @paged_attention_stats_needs_keyword(%query: tensor<4x8x1x64xf32>, %key_cache: tensor<256x16x2x64xf32>, %value_cache: tensor<256x16x2x64xf32>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{expected 'stats'}}
  %out, %s = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf32>, tensor<256x16x2x64xf32>, tensor<256x16x2x64xf32>, tensor<4x32xi32>, tensor<4xi32>) -> (tensor<4x8x1x64xf32>, tensor<4x2x512xf32>)
  return
}
