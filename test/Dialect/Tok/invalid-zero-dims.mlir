// RUN: tokamak-opt %s -split-input-file -verify-diagnostics

// Zero sizes that kernels divide by or tile over (issue 13): a static zero
// is refused by the verifier, a dynamic one is checked at run time
// (test/Integration/Errors).

// The query head count must be positive.
func.func @attention_query_head_count_must_be_positive(%query: tensor<1x0x16x64xf32>, %key: tensor<1x2x16x64xf32>, %value: tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected query head count to be positive, got 0}}
  %out = tok.attention %query, %key, %value {causal} : (tensor<1x0x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x0x16x64xf32>
  return
}

// -----

// A zero kv head count was already refused by the head grouping rule.
func.func @attention_key_head_count_zero(%query: tensor<1x8x16x64xf32>, %key: tensor<1x0x16x64xf32>, %value: tensor<1x0x16x64xf32>) {
  // expected-error @+1 {{'tok.attention' op expected query head count to be a multiple of key head count, got 8 and 0}}
  %out = tok.attention %query, %key, %value : (tensor<1x8x16x64xf32>, tensor<1x0x16x64xf32>, tensor<1x0x16x64xf32>) -> tensor<1x8x16x64xf32>
  return
}

// -----

// The paged query head count must be positive.
func.func @paged_attention_query_head_count_must_be_positive(%query: tensor<4x0x1x64xf16>, %key_cache: tensor<256x16x2x64xf16>, %value_cache: tensor<256x16x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected query head count to be positive, got 0}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x0x1x64xf16>, tensor<256x16x2x64xf16>, tensor<256x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x0x1x64xf16>
  return
}

// -----

// The paged cache block size must be positive.
func.func @paged_attention_block_size_must_be_positive(%query: tensor<4x8x1x64xf16>, %key_cache: tensor<256x0x2x64xf16>, %value_cache: tensor<256x0x2x64xf16>, %block_table: tensor<4x32xi32>, %lens: tensor<4xi32>) {
  // expected-error @+1 {{'tok.paged_attention' op expected key_cache block size to be positive, got 0}}
  %out = tok.paged_attention %query, %key_cache, %value_cache, %block_table, %lens : (tensor<4x8x1x64xf16>, tensor<256x0x2x64xf16>, tensor<256x0x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) -> tensor<4x8x1x64xf16>
  return
}

// -----

// The cache_write block size must be positive (a slot is block·BlockSize + row).
func.func @cache_write_block_size_must_be_positive(%cache: tensor<8x0x2x64xf32>, %update: tensor<3x2x5x64xf32>, %slots: tensor<3x5xi32>) {
  // expected-error @+1 {{'tok.cache_write' op expected cache block size to be positive, got 0}}
  %out = tok.cache_write %cache, %update, %slots : (tensor<8x0x2x64xf32>, tensor<3x2x5x64xf32>, tensor<3x5xi32>) -> tensor<8x0x2x64xf32>
  return
}

// -----

// The linear out-feature count must be positive.
func.func @linear_out_features_must_be_positive(%input: tensor<2x12x64xf32>, %weight: tensor<0x64xf32>) {
  // expected-error @+1 {{'tok.linear' op expected weight out-feature count to be positive, got 0}}
  %out = tok.linear %input, %weight : (tensor<2x12x64xf32>, tensor<0x64xf32>) -> tensor<2x12x0xf32>
  return
}

// -----

// The linear in-feature count must be positive.
func.func @linear_in_features_must_be_positive(%input: tensor<2x12x0xf32>, %weight: tensor<64x0xf32>) {
  // expected-error @+1 {{'tok.linear' op expected weight in-feature count to be positive, got 0}}
  %out = tok.linear %input, %weight : (tensor<2x12x0xf32>, tensor<64x0xf32>) -> tensor<2x12x64xf32>
  return
}

// -----

// Zero batch, sequence and head-dim sizes are fine: the result is empty or
// all rows see no key.
func.func @attention_zero_sequence(%query: tensor<0x8x0x64xf32>, %key: tensor<0x2x0x64xf32>, %value: tensor<0x2x0x64xf32>) -> tensor<0x8x0x64xf32> {
  %out = tok.attention %query, %key, %value {causal} : (tensor<0x8x0x64xf32>, tensor<0x2x0x64xf32>, tensor<0x2x0x64xf32>) -> tensor<0x8x0x64xf32>
  return %out : tensor<0x8x0x64xf32>
}
