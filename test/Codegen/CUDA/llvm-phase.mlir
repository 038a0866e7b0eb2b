// The llvm phase: the kernels of a module are outlined into one GPU module
// (tok-cuda-merge-kernel-modules) and serialized into one gpu.binary for
// the architecture; the host code calls the runtime's mgpu* functions.
// REQUIRES: cuda-toolkit
// RUN: tokamak-compile %s --target=cuda --cuda-arch=sm_80 --compile-to=llvm --emit=mlir -o %t.mlir
// RUN: FileCheck %s --input-file=%t.mlir
// RUN: tokamak-compile %s --target=cuda --cuda-arch=sm_80 --emit=ptx -o %t.ptx
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t.ptx

// CHECK-COUNT-1: gpu.binary @
// CHECK-SAME:    #nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">
// CHECK-NOT:     gpu.binary
// CHECK-NOT:     gpu.module
// CHECK-DAG:     llvm.func @mgpuMemAlloc(
// CHECK-DAG:     llvm.func @mgpuStreamSynchronize(
// CHECK-DAG:     llvm.func @_tok_entry_main(

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
