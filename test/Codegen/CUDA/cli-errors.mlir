// The CUDA options of tokamak-compile: each bad combination is one clear
// error and exit code 1.
// RUN: not tokamak-compile %s -o %t.ptx --target=cuda --cuda-arch=sm_70 2>&1 | FileCheck %s --check-prefix=ARCH
// RUN: not tokamak-compile %s -o %t.ptx --emit=ptx 2>&1 | FileCheck %s --check-prefix=PTX
// RUN: not tokamak-compile %s -o %t.so --cuda-arch=sm_80 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not tokamak-compile %s -o %t.so --target=rocm 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not tokamak-compile %s -o %t.mlir --target=cuda --compile-to=vectorize 2>&1 | FileCheck %s --check-prefix=PHASE
// Without the toolkit's libdevice (simulated: CUDA_PATH names a directory
// without it, and a set CUDA_PATH is the only place looked at), compiling to
// the end is one error naming where it looked; the phases before llvm do
// not need it.
// RUN: env CUDA_PATH=%t.nowhere not tokamak-compile %s -o %t.ptx --target=cuda 2>&1 | FileCheck %s --check-prefix=LIBDEVICE -DDIR=%t.nowhere
// RUN: env CUDA_PATH=%t.nowhere tokamak-compile %s -o %t.mlir --target=cuda --compile-to=bufferize --emit=mlir && FileCheck %s --check-prefix=BUFFERIZE --input-file=%t.mlir

// ARCH: tokamak-compile: error: unknown cuda architecture 'sm_70' (expected sm_80, sm_86, sm_89, sm_90, sm_90a)
// PTX: tokamak-compile: error: --emit=ptx needs --target=cuda
// CPU: tokamak-compile: error: --cuda-arch needs --target=cuda
// TARGET: tokamak-compile: error: unknown target 'rocm' (expected cpu or cuda)
// PHASE: tokamak-compile: error: unknown phase 'vectorize'
// LIBDEVICE: tokamak-compile: error: cannot find the CUDA toolkit's libdevice: CUDA_PATH=[[DIR]] has no [[DIR]]/nvvm/libdevice/libdevice.10.bc
// LIBDEVICE-NOT: {{.}}
// BUFFERIZE: gpu.launch

func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = tok.activation %x {kind = "silu"} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
