//===- Passes.td - CUDA code generation passes -------------*- tablegen -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CUDA_PASSES_TD
#define TOKAMAK_CODEGEN_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// tok-cuda-device-memory
//===----------------------------------------------------------------------===//

def DeviceMemory : Pass<"tok-cuda-device-memory", "::mlir::ModuleOp"> {
  let summary = "place the buffers of bufferized host code in device memory";
  let description = [{
    Runs on bufferized modules before any loop is mapped to the GPU. Every
    buffer that holds tensor data lives in device memory (docs/Codegen.md,
    "CUDA"): in host code (outside `gpu.launch`)

    - `memref.alloc` and `memref.alloca` become `gpu.alloc` (an alloca is
      freed with `gpu.dealloc` at the end of its block), `memref.dealloc`
      becomes `gpu.dealloc`;
    - `memref.copy` between two buffers with identity layouts becomes
      `gpu.memcpy`; any other copy (strided views) becomes `linalg.copy`,
      which the following passes turn into a kernel;
    - a `memref.get_global` constant that a function returns is copied into
      a fresh `gpu.alloc` buffer, which the caller owns like every result.

    Buffers of the deallocation bookkeeping (`index` elements, or passed to
    the `dealloc_helper` that `convert-bufferization-to-memref` generates)
    stay in host memory, and so does that helper.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect"];
}

//===----------------------------------------------------------------------===//
// tok-cuda-map-parallel-loops
//===----------------------------------------------------------------------===//

def MapParallelLoops : Pass<"tok-cuda-map-parallel-loops",
                            "::mlir::ModuleOp"> {
  let summary = "map each outermost host scf.parallel to one gpu.launch, one "
                "thread per iteration";
  let description = [{
    Every `scf.parallel` in host code that is not nested in another (what
    `convert-linalg-to-parallel-loops` makes of each linalg op: its parallel
    dims) becomes one `gpu.launch`: its N = prod(trip counts) iterations
    are linearized, thread `blockIdx.x * block-size + threadIdx.x` runs
    iteration number `id < N` (delinearized row-major to the loop's
    induction variables), grid `ceildiv(N, block-size)` blocks of
    `block-size` threads. The launch is skipped when N is 0. What the loop
    body does stays sequential inside the thread: the `scf.for` loops of
    reduction dims (softmax and norm rows, the K loop of matmuls) and any
    nested `scf.parallel`, which becomes `scf.for`.

    `memref.get_global` constants read by the body are rematerialized in
    the kernel (outlining copies the global into the GPU module).
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block (1 to 1024)">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

//===----------------------------------------------------------------------===//
// tok-cuda-stage-host-reads
//===----------------------------------------------------------------------===//

def StageHostReads : Pass<"tok-cuda-stage-host-reads", "::mlir::ModuleOp"> {
  let summary = "make host code read device buffers through host copies";
  let description = [{
    Host code never dereferences device memory. A `memref.load` outside
    `gpu.launch` from a device buffer (a function argument or `gpu.alloc`;
    the run-time checks of cache slots, block ids and lengths, or the slot
    loop of the reference `tok.cache_write`) reads a host copy instead:

    - when the outermost host op around the load that sits in the buffer's
      own block (a check loop, a loop over slots) writes no view of the
      buffer, the whole buffer is copied to a host `memref.alloc` with
      `gpu.memcpy` before that op and freed after it;
    - otherwise the one element is copied by a one-thread kernel into a
      one-element device buffer and from there with `gpu.memcpy`.

    A `memref.store` from host code into device memory is written the same
    way by a one-thread kernel. The pass fails on any other host access
    to device memory it cannot stage.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect"];
}

//===----------------------------------------------------------------------===//
// tok-cuda-merge-kernel-modules
//===----------------------------------------------------------------------===//

def MergeKernelModules : Pass<"tok-cuda-merge-kernel-modules",
                              "::mlir::ModuleOp"> {
  let summary = "merge the outlined GPU modules into one";
  let description = [{
    `gpu-kernel-outlining` puts every kernel into a `gpu.module` of its own.
    This pass moves them all into the first one (symbols that several
    modules copied, such as constant globals, once) and points every
    `gpu.launch_func` there, so that a compiled module has one PTX module:
    one `--emit=ptx` file, one binary to load.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

//===----------------------------------------------------------------------===//
// tok-cuda-scans
//===----------------------------------------------------------------------===//

def ScanKernels : Pass<"tok-cuda-scans", "::mlir::ModuleOp"> {
  let summary = "lower the scans and conv1d to loops that keep their time "
                "loop on the device";
  let description = [{
    Runs on tok ops on tensors, before `convert-tok-to-linalg` (whose
    reference lowering of the scans is a host `scf.for` over time launching
    one step's kernels per iteration). Each `tok.selective_scan`,
    `tok.linear_scan`, `tok.conv1d` and `tok.assoc_scan` becomes
    `bufferization.to_buffer` of its operands, `memref.alloc` of its
    results, one `scf.parallel` over its independent indices whose body runs
    the whole `scf.for` time loop, and `bufferization.to_tensor` of the
    results; `tok-cuda-map-parallel-loops` makes the `scf.parallel` one
    `gpu.launch` with the time loop inside the kernel:

    - selective_scan: one thread per (batch, channel), the state row
      `h[b, d, 0..N)` in a per-thread array;
    - linear_scan: one thread per (batch, head, value column j), column j of
      the state (Dk values) in a per-thread array; both decay shapes, the
      delta rule (a Dk-long dot product per step), beta, reverse, scale;
    - conv1d: one thread per (batch, channel), the last K−1 inputs in a
      per-thread sliding window;
    - assoc_scan: one thread per index of the other dims, the `combine`
      region inlined, the running values in registers.

    f16/bf16 operands are computed in f32; `init` and the final state are
    read and written by the same kernel. A per-thread array is a
    `memref.alloca` in the loop body when its length is static and at most
    256, otherwise a row of a `[threads, length]` device scratch buffer.
    Packed ops (`seq_starts`) are left alone (tok-decompose-packed-scans
    splits them first). The form is target-neutral loops on buffers, so the
    CPU pipeline can run it too (the numerics tests of
    test/Integration/CUDA/scans-on-cpu).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

//===----------------------------------------------------------------------===//
// tok-cuda-expand-shape-strides
//===----------------------------------------------------------------------===//

def ExpandShapeStrides : Pass<"tok-cuda-expand-shape-strides"> {
  let summary = "write memref.expand_shape ops with several dynamic sizes in "
                "one group as reinterpret casts";
  let description = [{
    MLIR 22's `expand-strided-metadata` crashes (a null stride in
    `ReinterpretCastOp::build`) on a `memref.expand_shape` whose
    reassociation group has more than one dynamic output size, e.g. a
    dynamic head dim split by a dynamic group count:

    ```mlir
    %e = memref.expand_shape %m [[0], [1, 2], [3]] output_shape [%a, %g, %n, %d]
        : memref<?x?x?xf32> into memref<?x?x?x?xf32>
    ```

    This pass rewrites exactly those ops, before `expand-strided-metadata`,
    as `memref.extract_strided_metadata` of the source and a
    `memref.reinterpret_cast` of its base buffer with the output sizes and
    the strides of the expansion (within a group, each dim's stride is the
    next dim's stride times its size; the last dim keeps the source dim's
    stride), cast back to the op's result type. Other expand_shape ops are
    left to `expand-strided-metadata`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

#endif // TOKAMAK_CODEGEN_CUDA_PASSES_TD
