// The work per key block of the FlashAttention-2 kernel at head dim 128
// (64 queries x 32 keys, bf16 through nvvm.mma.sync, softcap), counted in
// the body of the key loop: cp.async of the next K and V blocks (4 + 4
// copies per thread), 16 ldmatrix.x4 and 32 mma for S = Q·Kᵀ, 16
// ldmatrix.x4.trans and 32 mma for P·V, 4 quad shuffles, 1 + 8 exp2, 8
// tanh (softcap), 2 barriers, one `scf.if` for the mask.
// RUN: tokamak-opt %s --tok-cuda-tensor-cores | sed -n '/scf.for/,/^      }$/p' \
// RUN:   | grep -oE 'nvgpu\.[a-z_.]+|nvvm\.mma\.sync|gpu\.(shuffle|barrier)|math\.[a-z0-9]+|scf\.if' | sort | uniq -c \
// RUN:   | FileCheck %s

// CHECK:      2 gpu.barrier
// CHECK-NEXT: 4 gpu.shuffle
// CHECK-NEXT: 9 math.exp2
// CHECK-NEXT: 8 math.tanh
// CHECK-NEXT: 8 nvgpu.device_async_copy
// CHECK-NEXT: 2 nvgpu.device_async_create_group
// CHECK-NEXT: 2 nvgpu.device_async_wait
// CHECK-NEXT: 32 nvgpu.ldmatrix
// CHECK-NEXT: 64 nvvm.mma.sync
// CHECK-NEXT: 1 scf.if
// CHECK-NOT:  {{.}}
func.func @attention_softcap_bf16(%q: tensor<1x8x?x128xbf16>, %k: tensor<1x8x?x128xbf16>, %v: tensor<1x8x?x128xbf16>) -> tensor<1x8x?x128xbf16> {
  %o = tok.attention %q, %k, %v {softcap = 50.0 : f32} : (tensor<1x8x?x128xbf16>, tensor<1x8x?x128xbf16>, tensor<1x8x?x128xbf16>) -> tensor<1x8x?x128xbf16>
  return %o : tensor<1x8x?x128xbf16>
}
