// The CUDA options of tokamak-compile: each bad combination is one clear
// error and exit code 1.
// RUN: not tokamak-compile %s -o %t.ptx --target=cuda --cuda-arch=sm_70 2>&1 | FileCheck %s --check-prefix=ARCH
// RUN: not tokamak-compile %s -o %t.ptx --emit=ptx 2>&1 | FileCheck %s --check-prefix=PTX
// RUN: not tokamak-compile %s -o %t.so --cuda-arch=sm_80 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not tokamak-compile %s -o %t.so --target=rocm 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not tokamak-compile %s -o %t.mlir --target=cuda --compile-to=vectorize 2>&1 | FileCheck %s --check-prefix=PHASE
// RUN: tokamak-compile %s -o %t.ptx --target=cuda --cuda-arch=sm_86 && FileCheck %s --check-prefix=OK --input-file=%t.ptx

// ARCH: tokamak-compile: error: unknown cuda architecture 'sm_70' (expected sm_80, sm_86, sm_89, sm_90, sm_90a)
// PTX: tokamak-compile: error: --emit=ptx needs --target=cuda
// CPU: tokamak-compile: error: --cuda-arch needs --target=cuda
// TARGET: tokamak-compile: error: unknown target 'rocm' (expected cpu or cuda)
// PHASE: tokamak-compile: error: unknown phase 'vectorize'
// OK: .target sm_86
// OK: .entry

func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = tok.activation %x {kind = "silu"} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
