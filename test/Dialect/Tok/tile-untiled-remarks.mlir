// The tile passes say why they leave an op for the reference lowering
// (convert-tok-to-linalg) when run with remarks=true.
// RUN: tokamak-opt %s --split-input-file --tok-tile-selective-scan="remarks=true" --tok-tile-linear-scan="remarks=true" --tok-tile-conv1d="remarks=true" --tok-tile-linear="remarks=true" --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s

// CHECK: remark: tok-tile-selective-scan: left for convert-tok-to-linalg: channels, state size and groups must be static, the state at most 64
func.func @selective_scan_dynamic_state_f32(%x: tensor<1x8x32xf32>, %dt: tensor<1x8x32xf32>, %a: tensor<32x?xf32>, %b: tensor<1x8x1x?xf32>, %c: tensor<1x8x1x?xf32>) -> tensor<1x8x32xf32> {
  %y = tok.selective_scan %x, %dt, %a, %b, %c : (tensor<1x8x32xf32>, tensor<1x8x32xf32>, tensor<32x?xf32>, tensor<1x8x1x?xf32>, tensor<1x8x1x?xf32>) -> tensor<1x8x32xf32>
  return %y : tensor<1x8x32xf32>
}

// -----

// CHECK: remark: tok-tile-linear-scan: left for convert-tok-to-linalg: the head dims must be static and at most 256
func.func @linear_scan_wide_head_f32(%q: tensor<1x2x16x320xf32>, %k: tensor<1x2x16x320xf32>, %v: tensor<1x2x16x64xf32>) -> tensor<1x2x16x64xf32> {
  %o = tok.linear_scan %q, %k, %v : (tensor<1x2x16x320xf32>, tensor<1x2x16x320xf32>, tensor<1x2x16x64xf32>) -> tensor<1x2x16x64xf32>
  return %o : tensor<1x2x16x64xf32>
}

// -----

// CHECK: remark: tok-tile-conv1d: left for convert-tok-to-linalg: channels and taps must be static, at most 16 taps
func.func @conv1d_many_taps_f32(%x: tensor<1x40x32xf32>, %w: tensor<32x17xf32>) -> tensor<1x40x32xf32> {
  %y = tok.conv1d %x, %w : (tensor<1x40x32xf32>, tensor<32x17xf32>) -> tensor<1x40x32xf32>
  return %y : tensor<1x40x32xf32>
}

// -----

// CHECK: remark: tok-tile-linear: left for convert-tok-to-linalg: more than one leading dim of the input is dynamic
func.func @linear_two_dynamic_dims_f32(%x: tensor<?x?x64xf32>, %w: tensor<32x64xf32>) -> tensor<?x?x32xf32> {
  %y = tok.linear %x, %w : (tensor<?x?x64xf32>, tensor<32x64xf32>) -> tensor<?x?x32xf32>
  return %y : tensor<?x?x32xf32>
}

// -----

// RUN: tokamak-opt %s --split-input-file --tok-tile-attention="remarks=true" --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=ATTN
// ATTN: remark: tok-tile-attention: left for convert-tok-to-linalg: dynamic head dims
func.func @attention_dynamic_head_dim_f32(%q: tensor<1x2x8x?xf32>, %k: tensor<1x2x8x?xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %o = tok.attention %q, %k, %v : (tensor<1x2x8x?xf32>, tensor<1x2x8x?xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}
