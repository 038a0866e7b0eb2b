// RUN: tokamak-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of tok.topk, in the order the verifier checks
// them (ranks, element types, the dims named by attributes, dims, then the
// other attribute ranges).

// input must have rank at least 1.
func.func @topk_input_rank_at_least_1(%x: tensor<f32>) {
  // expected-error @+1 {{'tok.topk' op expected input rank at least 1, got 0}}
  %v, %i = tok.topk %x {k = 1 : i64} : (tensor<f32>) -> (tensor<1xf32>, tensor<1xi32>)
  return
}

// -----

// values must have the input's rank.
func.func @topk_values_rank(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected values rank 2 (the rank of input), got 1}}
  %v, %i = tok.topk %x {k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<4xf32>, tensor<2x4xi32>)
  return
}

// -----

// indices must have the input's rank.
func.func @topk_indices_rank(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected indices rank 2 (the rank of input), got 3}}
  %v, %i = tok.topk %x {k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<1x2x4xi32>)
  return
}

// -----

// budget has the rank of the rows.
func.func @topk_budget_rank(%x: tensor<2x8xf32>, %b: tensor<2x1xi32>) {
  // expected-error @+1 {{'tok.topk' op expected budget rank 1, got 2}}
  %v, %i = tok.topk %x budget(%b : tensor<2x1xi32>) {k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>)
  return
}

// -----

// count has the rank of the rows.
func.func @topk_count_rank(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected count rank 1, got 2}}
  %v, %i, %n = tok.topk %x {k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>, tensor<2x4xi32>)
  return
}

// -----

// The input is f32, f16 or bf16.
func.func @topk_input_float(%x: tensor<2x8xi32>) {
  // expected-error @+1 {{'tok.topk' op expected input element type f32, f16 or bf16, got 'i32'}}
  %v, %i = tok.topk %x {k = 4 : i64} : (tensor<2x8xi32>) -> (tensor<2x4xi32>, tensor<2x4xi32>)
  return
}

// -----

// values keep the input's element type.
func.func @topk_values_element_type(%x: tensor<2x8xf16>) {
  // expected-error @+1 {{'tok.topk' op expected input and values element types to match, got 'f16' and 'f32'}}
  %v, %i = tok.topk %x {k = 4 : i64} : (tensor<2x8xf16>) -> (tensor<2x4xf32>, tensor<2x4xi32>)
  return
}

// -----

// Indices are i32 or i64.
func.func @topk_indices_element_type(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected indices element type i32 or i64, got 'index'}}
  %v, %i = tok.topk %x {k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xindex>)
  return
}

// -----

// The budget is i32.
func.func @topk_budget_element_type(%x: tensor<2x8xf32>, %b: tensor<2xi64>) {
  // expected-error @+1 {{'tok.topk' op expected budget element type 'i32', got 'i64'}}
  %v, %i = tok.topk %x budget(%b : tensor<2xi64>) {k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>)
  return
}

// -----

// The count is i32.
func.func @topk_count_element_type(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected count element type 'i32', got 'i64'}}
  %v, %i, %n = tok.topk %x {k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>, tensor<2xi64>)
  return
}

// -----

// dim names a dim of the input.
func.func @topk_dim_range(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected dim to be in [0, 2), got 2}}
  %v, %i = tok.topk %x {dim = 2 : i64, k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>)
  return
}

// -----

// group_dim needs group.
func.func @topk_group_dim_without_group(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected group_dim only with group}}
  %v, %i = tok.topk %x {group_dim = 0 : i64, k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>)
  return
}

// -----

// group is at least 1.
func.func @topk_group_positive(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected group to be at least 1, got 0}}
  %v, %i = tok.topk %x {group = 0 : i64, group_dim = 0 : i64, k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>)
  return
}

// -----

// group_dim names a dim of the input.
func.func @topk_group_dim_range(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected group_dim to be in [0, 2), got -1}}
  %v, %i = tok.topk %x {group = 2 : i64, group_dim = -1 : i64, k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<1x4xf32>, tensor<1x4xi32>)
  return
}

// -----

// The grouped dim is not the selected one (the default group_dim 1 is the
// last dim here).
func.func @topk_group_dim_is_dim(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected group_dim and dim to differ, got 1 and 1}}
  %v, %i = tok.topk %x {group = 2 : i64, k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>)
  return
}

// -----

// k is not negative.
func.func @topk_k_negative(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected k to be at least 0, got -1}}
  %v, %i = tok.topk %x {k = -1 : i64} : (tensor<2x8xf32>) -> (tensor<2x?xf32>, tensor<2x?xi32>)
  return
}

// -----

// The grouped dim divides into whole groups.
func.func @topk_group_divides(%x: tensor<1x6x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected input dim 1 to be a multiple of group 4, got 6}}
  %v, %i = tok.topk %x {group = 4 : i64, k = 2 : i64} : (tensor<1x6x8xf32>) -> (tensor<1x1x2xf32>, tensor<1x1x2xi32>)
  return
}

// -----

// values are the input with dim -> k.
func.func @topk_values_shape(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected values shape [2, 4], got [2, 3]}}
  %v, %i = tok.topk %x {k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x3xf32>, tensor<2x4xi32>)
  return
}

// -----

// indices are the input with dim -> k and the grouped dim divided by G.
func.func @topk_indices_shape(%x: tensor<1x8x16xf32>) {
  // expected-error @+1 {{'tok.topk' op expected indices shape [1, 2, 4], got [1, 8, 4]}}
  %v, %i = tok.topk %x {group = 4 : i64, k = 4 : i64} : (tensor<1x8x16xf32>) -> (tensor<1x2x4xf32>, tensor<1x8x4xi32>)
  return
}

// -----

// budget has one entry per row.
func.func @topk_budget_shape(%x: tensor<2x8xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'tok.topk' op expected budget shape [2], got [3]}}
  %v, %i = tok.topk %x budget(%b : tensor<3xi32>) {k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>)
  return
}

// -----

// count has one entry per row.
func.func @topk_count_shape(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected count shape [2], got [4]}}
  %v, %i, %n = tok.topk %x {k = 4 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>, tensor<4xi32>)
  return
}

// -----

// mass is a fraction in (0, 1].
func.func @topk_mass_range(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected mass to be in (0, 1], got 1.5}}
  %v, %i = tok.topk %x {k = 4 : i64, mass = 1.5 : f32} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>)
  return
}

// -----

// mass 0 selects nothing and is rejected.
func.func @topk_mass_zero(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected mass to be in (0, 1], got 0}}
  %v, %i = tok.topk %x {k = 4 : i64, mass = 0.0 : f32} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>)
  return
}

// -----

// The mass of the smallest entries is not defined.
func.func @topk_mass_smallest(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'tok.topk' op expected mass without smallest}}
  %v, %i = tok.topk %x {k = 4 : i64, mass = 0.5 : f32, smallest} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xi32>)
  return
}
