// The work per key block of the FlashAttention-2 kernel at head dim 64
// (64 queries x 64 keys, f16), counted in the body of the key loop:
// cp.async of the next K and V blocks (4 + 4 16-byte copies per thread) in
// two groups, 16 ldmatrix.x4 and 32 mma for S = Q·Kᵀ, 16 ldmatrix.x4.trans
// and 32 mma for P·V, 4 quad shuffles (row max), 1 + 16 exp2 (alpha, P),
// 2 barriers, one `scf.if` for the mask.
// RUN: tokamak-opt %s --tok-cuda-tensor-cores | sed -n '/scf.for/,/^      }$/p' \
// RUN:   | grep -oE 'nvgpu\.[a-z_.]+|nvvm\.mma\.sync|gpu\.(shuffle|barrier)|math\.[a-z0-9]+|scf\.if' | sort | uniq -c \
// RUN:   | FileCheck %s

// CHECK:      2 gpu.barrier
// CHECK-NEXT: 4 gpu.shuffle
// CHECK-NEXT: 17 math.exp2
// CHECK-NEXT: 8 nvgpu.device_async_copy
// CHECK-NEXT: 2 nvgpu.device_async_create_group
// CHECK-NEXT: 2 nvgpu.device_async_wait
// CHECK-NEXT: 32 nvgpu.ldmatrix
// CHECK-NEXT: 64 nvgpu.mma.sync
// CHECK-NEXT: 1 scf.if
// CHECK-NOT:  {{.}}
func.func @attention_causal_f16(%q: tensor<1x8x?x64xf16>, %k: tensor<1x8x?x64xf16>, %v: tensor<1x8x?x64xf16>) -> tensor<1x8x?x64xf16> {
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x8x?x64xf16>, tensor<1x8x?x64xf16>, tensor<1x8x?x64xf16>) -> tensor<1x8x?x64xf16>
  return %o : tensor<1x8x?x64xf16>
}
