// The llvm phase: the kernels of a module are outlined into one GPU module
// (tok-cuda-merge-kernel-modules) and serialized into one gpu.binary for
// the architecture; the host code calls the runtime's mgpu* functions.
// REQUIRES: cuda-toolkit
// RUN: tokamak-compile %s --target=cuda --cuda-arch=sm_80 --compile-to=llvm --emit=mlir -o %t.mlir
// RUN: FileCheck %s --input-file=%t.mlir
// RUN: FileCheck %s --check-prefix=HOST --input-file=%t.mlir
// The tensor-core kernel of tensor-core-pipeline.mlir is launched, and its
// output freed after the SIMT kernel that reads it.
// RUN: tokamak-compile %S/tensor-core-pipeline.mlir --target=cuda --cuda-arch=sm_80 --compile-to=llvm --emit=mlir -o %t.tc.mlir
// RUN: FileCheck %s --check-prefix=TC --input-file=%t.tc.mlir
// RUN: tokamak-compile %s --target=cuda --cuda-arch=sm_80 --emit=ptx -o %t.ptx
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t.ptx

// CHECK-COUNT-1: gpu.binary @
// CHECK-SAME:    #nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">
// CHECK-NOT:     gpu.binary
// CHECK-NOT:     gpu.module
// CHECK-DAG:     llvm.func @mgpuMemAlloc(
// CHECK-DAG:     llvm.func @mgpuStreamSynchronize(
// CHECK-DAG:     llvm.func @_tok_entry_main(

// Every kernel is launched by the host code (none is dropped as dead).
// HOST-LABEL: llvm.func internal @main(
// HOST-COUNT-5: gpu.launch_func
// HOST-NOT:     gpu.launch_func
// HOST:         llvm.return

// TC-LABEL: llvm.func internal @main(
// TC:         %[[OUT:.*]] = llvm.call @mgpuMemAlloc(
// TC:         gpu.launch_func {{.*}} dynamic_shared_memory_size
// TC:         gpu.launch_func
// TC:         llvm.call @mgpuMemFree(%[[OUT]],
// TC:         llvm.return

// Five kernels: the rms_norm sums (zero fill, row loop), its scaling, the
// linear (zero fill, K loop).
// PTX: .version 8.0
// PTX: .target sm_80
// PTX-COUNT-5: .entry

func.func @main(%x: tensor<4x64xf32>, %g: tensor<64xf32>, %w: tensor<32x64xf32>) -> tensor<4x32xf32> {
  %n = tok.rms_norm %x, %g {eps = 1.0e-6 : f32} : (tensor<4x64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  %y = tok.linear %n, %w : (tensor<4x64xf32>, tensor<32x64xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}
