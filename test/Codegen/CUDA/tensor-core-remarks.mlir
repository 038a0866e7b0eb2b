// RUN: tokamak-opt %s --tok-cuda-tensor-cores="remarks" --split-input-file --verify-diagnostics -o /dev/null
// RUN: not tokamak-opt %s --tok-cuda-tensor-cores="cuda-arch=sm_70" 2>&1 | FileCheck %s --check-prefix=ARCH

// ARCH: error: unsupported cuda-arch 'sm_70': expected sm_80, sm_86, sm_89, sm_90 or sm_90a

// Each kernel the pass emits is described.
func.func @kernels(%q: tensor<1x8x?x64xf16>, %k: tensor<1x2x?x64xf16>, %v: tensor<1x2x?x64xf16>, %q2: tensor<1x4x?x128xbf16>, %x: tensor<?x512xbf16>, %w: tensor<256x512xbf16>, %x1: tensor<4x512xbf16>) -> (tensor<1x8x?x64xf16>, tensor<1x4x?x128xbf16>, tensor<?x256xbf16>, tensor<4x256xbf16>) {
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: FlashAttention-2 forward, f16, head dim 64, 64 queries x 64 keys per block, 4 warps, 40960 bytes of shared memory, GQA group 4 (4 heads x 16 positions per tile, sharing K/V), causal}}
  %0 = tok.attention %q, %k, %v {causal} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: FlashAttention-2 forward, bf16, head dim 128, 64 queries x 32 keys per block, 4 warps, 49152 bytes of shared memory, causal, window 512, softcap}}
  %1 = tok.attention %q2, %q2, %q2 {causal, window = 512 : i64, softcap = 30.0 : f32} : (tensor<1x4x?x128xbf16>, tensor<1x4x?x128xbf16>, tensor<1x4x?x128xbf16>) -> tensor<1x4x?x128xbf16>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: GEMM, bf16, 128x128x32 block tile, 8 warps, 4 stages, 65536 bytes of shared memory; M <= 16 at run time: 16x64x64 block tile, 4 warps, 4 stages, 40960 bytes of shared memory}}
  %2 = tok.linear %x, %w : (tensor<?x512xbf16>, tensor<256x512xbf16>) -> tensor<?x256xbf16>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: GEMM, bf16, 16x64x64 block tile, 4 warps, 4 stages, 40960 bytes of shared memory}}
  %3 = tok.linear %x1, %w : (tensor<4x512xbf16>, tensor<256x512xbf16>) -> tensor<4x256xbf16>
  return %0, %1, %2, %3 : tensor<1x8x?x64xf16>, tensor<1x4x?x128xbf16>, tensor<?x256xbf16>, tensor<4x256xbf16>
}

// -----

// Attention variants left for the SIMT path, with the reason.
func.func @attention_left(%q: tensor<1x2x?x64xf16>, %b: tensor<1x2x?x?xf32>, %cu: tensor<3xi32>, %qf: tensor<1x2x?x64xf32>, %q96: tensor<1x2x?x96xf16>, %qd: tensor<1x?x?x64xf16>, %v32: tensor<1x2x?x32xf16>) -> (tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf32>, tensor<1x2x?x96xf16>, tensor<1x?x?x64xf16>, tensor<1x2x?x32xf16>) {
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: bias is not handled by the tensor-core kernel}}
  %0 = tok.attention %q, %q, %q bias(%b : tensor<1x2x?x?xf32>) : (tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x2x?x64xf16>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: seq_starts (packed variable-length batches) is not handled by the tensor-core kernel}}
  %1 = tok.attention %q, %q, %q seq_starts(%cu : tensor<3xi32>) {causal} : (tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x2x?x64xf16>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: sinks are not handled by the tensor-core kernel}}
  %2 = tok.attention %q, %q, %q {causal, window = 64 : i64, sinks = 4 : i64} : (tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x2x?x64xf16>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: a score_mod region is not handled by the tensor-core kernel}}
  %3 = tok.attention %q, %q, %q : (tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x2x?x64xf16> score_mod {
  ^bb0(%s: f32, %bb: index, %h: index, %i: index, %j: index):
    tok.yield %s : f32
  }
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: element type is not f16 or bf16}}
  %4 = tok.attention %qf, %qf, %qf : (tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: head dim is not 64 or 128}}
  %5 = tok.attention %q96, %q96, %q96 : (tensor<1x2x?x96xf16>, tensor<1x2x?x96xf16>, tensor<1x2x?x96xf16>) -> tensor<1x2x?x96xf16>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: dynamic head counts}}
  %6 = tok.attention %qd, %qd, %qd : (tensor<1x?x?x64xf16>, tensor<1x?x?x64xf16>, tensor<1x?x?x64xf16>) -> tensor<1x?x?x64xf16>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: value head dim differs from the query head dim}}
  %7 = tok.attention %q, %q, %v32 : (tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x32xf16>) -> tensor<1x2x?x32xf16>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf32>, tensor<1x2x?x96xf16>, tensor<1x?x?x64xf16>, tensor<1x2x?x32xf16>
}

// -----

// Block-sparse attention (block lists) is left for the SIMT path.
func.func @attention_block_lists_left(%q: tensor<1x2x?x64xf16>, %idx: tensor<1x2x?x4xi32>) -> tensor<1x2x?x64xf16> {
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: block_indices (block-sparse attention) is not handled by the tensor-core kernel}}
  %0 = tok.attention %q, %q, %q block_indices(%idx : tensor<1x2x?x4xi32>) {block_k = 64 : i64, block_q = 64 : i64, causal} : (tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x2x?x64xf16>
  return %0 : tensor<1x2x?x64xf16>
}

// -----

// Linears left for the SIMT path, with the reason.
func.func @linear_left(%xf: tensor<4x64xf32>, %wf: tensor<32x64xf32>, %x1: tensor<64xf16>, %w: tensor<32x64xf16>, %x: tensor<4x?xf16>, %wd: tensor<32x?xf16>, %x60: tensor<4x60xf16>, %w60: tensor<32x60xf16>, %x2: tensor<4x64xf16>, %w33: tensor<33x64xf16>) -> (tensor<4x32xf32>, tensor<32xf16>, tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x33xf16>) {
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: element type is not f16 or bf16}}
  %0 = tok.linear %xf, %wf : (tensor<4x64xf32>, tensor<32x64xf32>) -> tensor<4x32xf32>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: input rank is below 2}}
  %1 = tok.linear %x1, %w : (tensor<64xf16>, tensor<32x64xf16>) -> tensor<32xf16>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: weight shape is dynamic}}
  %2 = tok.linear %x, %wd : (tensor<4x?xf16>, tensor<32x?xf16>) -> tensor<4x32xf16>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: in-feature count 60 is not a multiple of 8 (16-byte cp.async rows)}}
  %3 = tok.linear %x60, %w60 : (tensor<4x60xf16>, tensor<32x60xf16>) -> tensor<4x32xf16>
  // expected-remark @+1 {{tok-cuda-tensor-cores: sm_80: left for the SIMT path: out-feature count 33 is odd}}
  %4 = tok.linear %x2, %w33 : (tensor<4x64xf16>, tensor<33x64xf16>) -> tensor<4x33xf16>
  return %0, %1, %2, %3, %4 : tensor<4x32xf32>, tensor<32xf16>, tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x33xf16>
}
