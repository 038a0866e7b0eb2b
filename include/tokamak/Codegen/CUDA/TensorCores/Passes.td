//===- Passes.td - CUDA tensor-core passes -----------------*- tablegen -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CUDA_TENSORCORES_PASSES_TD
#define TOKAMAK_CODEGEN_CUDA_TENSORCORES_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// tok-cuda-tensor-cores (issue 12, tensor-core part)
//===----------------------------------------------------------------------===//

def CudaTensorCores : Pass<"tok-cuda-tensor-cores"> {
  let summary = "replace eligible tok.attention and tok.linear ops with "
                "mma.sync tensor-core kernels";
  let description = [{
    Runs on tensor-level IR, before the CUDA pipeline's reference lowering.
    Each eligible op becomes host code around its `gpu.launch`: its inputs
    are read through `bufferization.to_buffer`, its results are
    `memref.alloc`s (device memory once the CUDA pipeline places host
    allocations) returned through `bufferization.to_tensor ... restrict
    writable`. Kernels are written with `nvgpu.ldmatrix`,
    `nvgpu.device_async_copy` (cp.async, 16 bytes, L1 bypassed, zero-filled
    past the edges), `nvgpu.mma.sync` m16n8k16 for f16 and `nvvm.mma.sync`
    for bf16 (f32 accumulation), shared tiles XOR-swizzled by 16-byte chunks
    in a `gpu.dynamic_shared_memory` buffer, and only 1-D vector math. The
    index arithmetic (fragment lane maps, ldmatrix addresses, swizzle,
    cp.async chunk maps, mask and key-block bounds) is the shared code of
    `FragmentMaps.h`, which the unit tests check against the PTX ISA layouts.

    - `tok.attention` (FlashAttention-2 forward): grid (query tiles of 64,
      query heads, batch), 4 warps of 16 query rows (tile rows); Q in A fragments; key
      blocks of 64 keys (32 at head dim 128, to stay clear of the register
      limit) double-buffered through shared memory, K and V of a block in
      separate cp.async groups so that V and the next block's K land while
      S and the softmax run; S = Q·Kᵀ, scale or softcap, the mask only in
      blocks that cross the causal diagonal, the window's edge or the last
      key (`scf.if`); online softmax in registers (thread-local reduction +
      `gpu.shuffle xor` 1, 2 over the quad, `math.exp2` `afn`); P reused
      from its C fragments as the A operand of P·V. The key-block loop runs
      over the blocks the causal/window masks leave visible only. GQA:
      query head h reads kv head h / (Hq / Hkv); when the group size G
      divides the 64 tile rows, the G heads of a group share a tile (G x
      64/G positions, grid (Sq / (64/G), Hq / G, batch)) and so every K/V
      block load. Dynamic batch and sequence lengths; lse when requested.
      Eligible: f16 or bf16 inputs, static head counts, head dim 64 or 128
      (value head dim equal), no bias, score_mod, sinks or seq_starts.
    - `tok.linear` (GEMM): grid (N / 128, M / 128), 8 warps (2 x 4, 64 x 32
      each), K steps of 32 through a ring of 3 stages (4 on sm_80 and
      sm_90*) filled `stages - 1` steps ahead; bias in the epilogue; ragged M,
      N and K edges zero-filled and masked. At most 16 rows (decode) take a
      16 x 64 x 64 tile with 4 warps instead, so that W still spreads over
      N / 64 CTAs; with a dynamic row count both launches are emitted and
      an `scf.if` on M picks one at run time. Eligible: f16 or bf16, rank
      >= 2 input, static K (a multiple of 8) and N (even).

    Other ops and variants are left for the SIMT path; with `remarks` the
    pass says why, and describes each kernel it emits.

    ```mlir
    %o = tok.attention %q, %k, %v {causal} : (tensor<1x8x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>) -> tensor<1x8x?x64xf16>
    ```
  }];
  let options = [
    Option<"cudaArch", "cuda-arch", "std::string", /*default=*/"\"sm_80\"",
           "GPU architecture the kernels are generated for: sm_80, sm_86, "
           "sm_89, sm_90 or sm_90a">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report each kernel emitted, and why an op is left for the SIMT "
           "path, as remarks">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // TOKAMAK_CODEGEN_CUDA_TENSORCORES_PASSES_TD
