// REQUIRES: ptxas, cuda-toolkit
// Lowers the tensor-core kernels to PTX with the upstream NVVM pipeline
// (`mlir-opt -gpu-lower-to-nvvm-pipeline`, in tensor-core-ptxas.py) and
// assembles them with `ptxas -v`: every kernel must assemble for sm_80 and
// sm_90a without spilling (registers are reported, not pinned).
// RUN: tokamak-opt %s --tok-cuda-tensor-cores --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" -o %t.mlir
// RUN: %python %S/tensor-core-ptxas.py sm_80 %t.sm80 %t.mlir | FileCheck %s --check-prefix=SM80
// RUN: %python %S/tensor-core-ptxas.py sm_90a %t.sm90a %t.mlir | FileCheck %s --check-prefix=SM90A

// Attention, head dim 64, f16, causal GQA with lse, dynamic lengths.
// SM80-LABEL: Compiling entry function 'attention_d64_f16_kernel' for 'sm_80'
// SM80-NEXT: Function properties for attention_d64_f16_kernel
// SM80-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM80-NEXT: Used {{[0-9]+}} registers
// SM90A-LABEL: Compiling entry function 'attention_d64_f16_kernel' for 'sm_90a'
// SM90A-NEXT: Function properties for attention_d64_f16_kernel
// SM90A-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM90A-NEXT: Used {{[0-9]+}} registers
func.func @attention_d64_f16(%q: tensor<2x8x?x64xf16>, %k: tensor<2x2x?x64xf16>, %v: tensor<2x2x?x64xf16>) -> (tensor<2x8x?x64xf16>, tensor<2x8x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v {causal} : (tensor<2x8x?x64xf16>, tensor<2x2x?x64xf16>, tensor<2x2x?x64xf16>) -> (tensor<2x8x?x64xf16>, tensor<2x8x?xf32>)
  return %o, %lse : tensor<2x8x?x64xf16>, tensor<2x8x?xf32>
}

// Attention, head dim 64, bf16, sliding window and softcap.
// SM80-LABEL: Compiling entry function 'attention_d64_bf16_kernel' for 'sm_80'
// SM80-NEXT: Function properties for attention_d64_bf16_kernel
// SM80-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM80-NEXT: Used {{[0-9]+}} registers
// SM90A-LABEL: Compiling entry function 'attention_d64_bf16_kernel' for 'sm_90a'
// SM90A-NEXT: Function properties for attention_d64_bf16_kernel
// SM90A-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM90A-NEXT: Used {{[0-9]+}} registers
func.func @attention_d64_bf16(%q: tensor<1x4x?x64xbf16>, %k: tensor<1x4x?x64xbf16>, %v: tensor<1x4x?x64xbf16>) -> tensor<1x4x?x64xbf16> {
  %o = tok.attention %q, %k, %v {causal, window = 128 : i64, softcap = 50.0 : f32} : (tensor<1x4x?x64xbf16>, tensor<1x4x?x64xbf16>, tensor<1x4x?x64xbf16>) -> tensor<1x4x?x64xbf16>
  return %o : tensor<1x4x?x64xbf16>
}

// Attention, head dim 128, bf16, non-causal with lse.
// SM80-LABEL: Compiling entry function 'attention_d128_bf16_kernel' for 'sm_80'
// SM80-NEXT: Function properties for attention_d128_bf16_kernel
// SM80-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM80-NEXT: Used {{[0-9]+}} registers
// SM90A-LABEL: Compiling entry function 'attention_d128_bf16_kernel' for 'sm_90a'
// SM90A-NEXT: Function properties for attention_d128_bf16_kernel
// SM90A-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM90A-NEXT: Used {{[0-9]+}} registers
func.func @attention_d128_bf16(%q: tensor<?x16x?x128xbf16>, %k: tensor<?x16x?x128xbf16>, %v: tensor<?x16x?x128xbf16>) -> (tensor<?x16x?x128xbf16>, tensor<?x16x?xf32>) {
  %o, %lse = tok.attention %q, %k, %v : (tensor<?x16x?x128xbf16>, tensor<?x16x?x128xbf16>, tensor<?x16x?x128xbf16>) -> (tensor<?x16x?x128xbf16>, tensor<?x16x?xf32>)
  return %o, %lse : tensor<?x16x?x128xbf16>, tensor<?x16x?xf32>
}

// Attention, head dim 128, f16, causal with a softcap and an explicit scale.
// SM80-LABEL: Compiling entry function 'attention_d128_f16_kernel' for 'sm_80'
// SM80-NEXT: Function properties for attention_d128_f16_kernel
// SM80-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM80-NEXT: Used {{[0-9]+}} registers
// SM90A-LABEL: Compiling entry function 'attention_d128_f16_kernel' for 'sm_90a'
// SM90A-NEXT: Function properties for attention_d128_f16_kernel
// SM90A-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM90A-NEXT: Used {{[0-9]+}} registers
func.func @attention_d128_f16(%q: tensor<1x32x?x128xf16>, %k: tensor<1x8x?x128xf16>, %v: tensor<1x8x?x128xf16>) -> tensor<1x32x?x128xf16> {
  %o = tok.attention %q, %k, %v {causal, scale = 0.1 : f32, softcap = 30.0 : f32} : (tensor<1x32x?x128xf16>, tensor<1x8x?x128xf16>, tensor<1x8x?x128xf16>) -> tensor<1x32x?x128xf16>
  return %o : tensor<1x32x?x128xf16>
}

// GEMM with a bias and a dynamic row count: the decode kernel (M <= 16)
// and the 128x128 kernel, chosen at run time.
// SM80-LABEL: Compiling entry function 'linear_f16_kernel' for 'sm_80'
// SM80-NEXT: Function properties for linear_f16_kernel
// SM80-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM80-NEXT: Used {{[0-9]+}} registers
// SM80-LABEL: Compiling entry function 'linear_f16_kernel' for 'sm_80'
// SM80-NEXT: Function properties for linear_f16_kernel
// SM80-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM80-NEXT: Used {{[0-9]+}} registers
// SM90A-LABEL: Compiling entry function 'linear_f16_kernel' for 'sm_90a'
// SM90A-NEXT: Function properties for linear_f16_kernel
// SM90A-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM90A-NEXT: Used {{[0-9]+}} registers
// SM90A-LABEL: Compiling entry function 'linear_f16_kernel' for 'sm_90a'
// SM90A-NEXT: Function properties for linear_f16_kernel
// SM90A-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM90A-NEXT: Used {{[0-9]+}} registers
func.func @linear_f16(%x: tensor<2x?x1024xf16>, %w: tensor<4096x1024xf16>, %b: tensor<4096xf16>) -> tensor<2x?x4096xf16> {
  %y = tok.linear %x, %w bias(%b : tensor<4096xf16>) : (tensor<2x?x1024xf16>, tensor<4096x1024xf16>) -> tensor<2x?x4096xf16>
  return %y : tensor<2x?x4096xf16>
}

// GEMM, bf16, static M = 512 with ragged N and K edges.
// SM80-LABEL: Compiling entry function 'linear_bf16_kernel' for 'sm_80'
// SM80-NEXT: Function properties for linear_bf16_kernel
// SM80-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM80-NEXT: Used {{[0-9]+}} registers
// SM90A-LABEL: Compiling entry function 'linear_bf16_kernel' for 'sm_90a'
// SM90A-NEXT: Function properties for linear_bf16_kernel
// SM90A-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SM90A-NEXT: Used {{[0-9]+}} registers
func.func @linear_bf16(%x: tensor<512x1000xbf16>, %w: tensor<3000x1000xbf16>) -> tensor<512x3000xbf16> {
  %y = tok.linear %x, %w : (tensor<512x1000xbf16>, tensor<3000x1000xbf16>) -> tensor<512x3000xbf16>
  return %y : tensor<512x3000xbf16>
}
