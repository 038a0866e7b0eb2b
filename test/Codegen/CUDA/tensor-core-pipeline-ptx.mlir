// REQUIRES: ptxas, cuda-toolkit
// The PTX that tokamak-compile --target=cuda --emit=ptx makes of the
// tensor-core ops (f16 attention at head dim 64, bf16 attention at head dim
// 128, an f16 linear with a dynamic row count: two GEMM kernels): mma.sync,
// ldmatrix and cp.async in every kernel, and ptxas assembles it for sm_80
// and sm_90a without spilling.
// RUN: tokamak-compile %s --target=cuda --cuda-arch=sm_80 --emit=ptx -o %t.sm80.ptx
// RUN: FileCheck %s --input-file=%t.sm80.ptx
// RUN: ptxas -arch=sm_80 -v %t.sm80.ptx -o %t.sm80.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS
// RUN: tokamak-compile %s --target=cuda --cuda-arch=sm_90a --emit=ptx -o %t.sm90a.ptx
// RUN: FileCheck %s --input-file=%t.sm90a.ptx
// RUN: ptxas -arch=sm_90a -v %t.sm90a.ptx -o %t.sm90a.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS

// Every kernel: cp.async tiles, ldmatrix fragments, m16n8k16 MMAs of its
// element type.
// CHECK-LABEL: .entry main_kernel(
// CHECK:         cp.async.cg.shared.global
// CHECK:         ldmatrix.sync.aligned
// CHECK:         mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-LABEL: .entry main_kernel_0(
// CHECK:         cp.async.cg.shared.global
// CHECK:         ldmatrix.sync.aligned
// CHECK:         mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-LABEL: .entry main_kernel_1(
// CHECK:         cp.async.cg.shared.global
// CHECK:         ldmatrix.sync.aligned
// CHECK:         mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-LABEL: .entry main_kernel_2(
// CHECK:         cp.async.cg.shared.global
// CHECK:         ldmatrix.sync.aligned
// CHECK:         mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-NOT:     .entry

// PTXAS-COUNT-4: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// PTXAS-NOT:     error

func.func @main(%q: tensor<1x8x?x64xf16>, %k: tensor<1x2x?x64xf16>, %v: tensor<1x2x?x64xf16>, %q2: tensor<2x4x?x128xbf16>, %x: tensor<?x512xf16>, %w: tensor<256x512xf16>) -> (tensor<1x8x?x64xf16>, tensor<2x4x?x128xbf16>, tensor<?x256xf16>) {
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
  %o2 = tok.attention %q2, %q2, %q2 : (tensor<2x4x?x128xbf16>, tensor<2x4x?x128xbf16>, tensor<2x4x?x128xbf16>) -> tensor<2x4x?x128xbf16>
  %y = tok.linear %x, %w : (tensor<?x512xf16>, tensor<256x512xf16>) -> tensor<?x256xf16>
  return %o, %o2, %y : tensor<1x8x?x64xf16>, tensor<2x4x?x128xbf16>, tensor<?x256xf16>
}
