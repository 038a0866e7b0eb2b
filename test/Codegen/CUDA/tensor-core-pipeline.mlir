// The CUDA pipeline's tensor-core hook end to end up to the bufferize
// phase: tok-cuda-tensor-cores (on by default) makes a kernel of the f16
// attention, outlined at once; its output buffer is device memory that the
// SIMT kernel of the activation reads, and it is freed after that launch
// (launches are synchronous). With tensor-cores=false every op takes the
// SIMT route.
// RUN: tokamak-compile %s --target=cuda --cuda-arch=sm_80 --compile-to=bufferize --emit=mlir -o %t.mlir
// RUN: FileCheck %s --input-file=%t.mlir
// RUN: tokamak-opt %s --tokamak-cuda-pipeline="cuda-arch=sm_80 compile-to=bufferize tensor-cores=false" | FileCheck %s --check-prefix=SIMT

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %[[QUERY:[^:]*]]: memref<1x8x?x64xf16>, %[[KEY:[^:]*]]: memref<1x2x?x64xf16>, %[[VALUE:[^:]*]]: memref<1x2x?x64xf16>)
// CHECK:         %[[OUT:.*]] = gpu.alloc (%{{.*}}) : memref<1x8x?x64xf16>
// CHECK:         gpu.launch_func @main_kernel::@main_kernel blocks in ({{.*}}) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c40960_i32 args(%[[QUERY]] : memref<1x8x?x64xf16>, %[[KEY]] : memref<1x2x?x64xf16>, %[[VALUE]] : memref<1x2x?x64xf16>, %[[OUT]] : memref<1x8x?x64xf16>)
// CHECK:         %[[ACT:.*]] = gpu.alloc (%{{.*}}) : memref<1x8x?x64xf16>
// CHECK:         gpu.launch blocks
// CHECK:           memref.load %[[OUT]]
// CHECK:           memref.store %{{.*}}, %[[ACT]]
// CHECK:         gpu.dealloc %[[OUT]] : memref<1x8x?x64xf16>
// CHECK-NEXT:    return %[[ACT]]
// CHECK-LABEL: gpu.module @main_kernel
// CHECK:         gpu.func @main_kernel(
// CHECK-SAME:        kernel
// CHECK:           gpu.dynamic_shared_memory
// CHECK:           nvgpu.device_async_copy
// CHECK:           nvgpu.ldmatrix
// CHECK:           nvgpu.mma.sync

// SIMT-NOT: gpu.launch_func
// SIMT-NOT: nvgpu.
// SIMT-LABEL: func.func @main(
// SIMT: gpu.launch blocks
// SIMT-NOT: nvgpu.

func.func @main(%q: tensor<1x8x?x64xf16>, %k: tensor<1x2x?x64xf16>, %v: tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16> {
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
  %a = tok.activation %o {kind = "silu"} : (tensor<1x8x?x64xf16>) -> tensor<1x8x?x64xf16>
  return %a : tensor<1x8x?x64xf16>
}
