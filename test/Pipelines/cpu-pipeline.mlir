// One RUN per phase of the CPU pipeline (DESIGN §5), each checking what
// that phase is for. num-threads is fixed so that the output does not depend
// on the machine running the test.
// RUN: tokamak-opt %s --tokamak-cpu-pipeline="cpu=znver4 num-threads=4 compile-to=input" | FileCheck %s --check-prefix=INPUT
// RUN: tokamak-opt %s --tokamak-cpu-pipeline="cpu=znver4 num-threads=4 compile-to=tok-opt" | FileCheck %s --check-prefix=TOKOPT
// RUN: tokamak-opt %s --tokamak-cpu-pipeline="cpu=znver4 num-threads=4 compile-to=tiling" | FileCheck %s --check-prefix=TILING --implicit-check-not="= tok."
// RUN: tokamak-opt %s --tokamak-cpu-pipeline="cpu=znver4 num-threads=4 compile-to=fusion" | FileCheck %s --check-prefix=FUSION --implicit-check-not="= tok."
// RUN: tokamak-opt %s --tokamak-cpu-pipeline="cpu=znver4 num-threads=4 compile-to=bufferize" | FileCheck %s --check-prefix=BUFFERIZE --implicit-check-not="tensor<"
// RUN: tokamak-opt %s --tokamak-cpu-pipeline="cpu=znver4 num-threads=4 compile-to=llvm" | FileCheck %s --check-prefix=LLVM --implicit-check-not=func.func --implicit-check-not="{{[^.a-z_](memref|vector|scf|arith|math|tensor|linalg|cf|builtin|ub|bufferization)\.[a-z]}}"
//
// Bad options are pipeline errors.
// RUN: not tokamak-opt %s --tokamak-cpu-pipeline="compile-to=nope" 2>&1 | FileCheck %s --check-prefix=BAD-PHASE
// RUN: not tokamak-opt %s --tokamak-cpu-pipeline="cpu=bogus" 2>&1 | FileCheck %s --check-prefix=BAD-CPU
// RUN: not tokamak-opt %s --tokamak-cpu-pipeline="cpu=znver4 cpu-features=+nope" 2>&1 | FileCheck %s --check-prefix=BAD-FEATURE
// RUN: not tokamak-opt %s --tokamak-cpu-pipeline="cpu=znver4 cpu-features=nope" 2>&1 | FileCheck %s --check-prefix=BAD-FEATURE-SIGN

// A transformer block in small: rms_norm feeding a linear, attention with
// dynamic key/value lengths (a runtime check), an elementwise tail on the
// attention output (two generics for fusion to merge), and a dead op for
// tok-opt to remove.

// input: the parsed module, tok ops and the dead op unchanged.
// INPUT-LABEL: func.func @block_f32
// INPUT-SAME:    (%[[X:.*]]: tensor<2x?x64xf32>, %[[NORM_W:.*]]: tensor<64xf32>, %[[W:.*]]: tensor<128x64xf32>, %[[Q:.*]]: tensor<1x4x?x32xf32>, %[[K:.*]]: tensor<1x2x?x32xf32>, %[[V:.*]]: tensor<1x2x?x32xf32>)
// INPUT-NOT:     tok.runtime_checks
// INPUT:         %[[N:.*]] = tok.rms_norm %[[X]], %[[NORM_W]]
// INPUT:         %[[Y:.*]] = tok.linear %[[N]], %[[W]]
// INPUT:         %[[O:.*]] = tok.attention %[[Q]], %[[K]], %[[V]] {causal}
// INPUT:         %[[T:.*]] = tok.activation %[[O]] {kind = "tanh"}
// INPUT:         tok.activation %[[O]] {kind = "relu"}
// INPUT:         %[[S:.*]] = tok.activation %[[T]] {kind = "silu"}
// INPUT:         return %[[Y]], %[[S]]

// tok-opt: still tok ops, canonicalized (the dead relu is gone).
// TOKOPT-LABEL: func.func @block_f32
// TOKOPT-NOT:     tok.runtime_checks
// TOKOPT:         tok.rms_norm
// TOKOPT:         tok.linear
// TOKOPT:         tok.attention
// TOKOPT-NOT:     kind = "relu"
// TOKOPT:         return

// tiling: the dim rule of the attention is listed on the function, and no
// tok op is left: the rms_norm becomes a parallel row-statistics prologue of
// the linear's vector kernels, the attention a parallel tiled kernel over
// the 2 kv heads, the activations linalg generics (fused in the next phase).
// TILING-LABEL: func.func @block_f32
// TILING-SAME:    (%[[X:.*]]: tensor<2x?x64xf32>, %{{.*}}: tensor<64xf32>, %[[W:.*]]: tensor<128x64xf32>, %[[Q:.*]]: tensor<1x4x?x32xf32>, %{{.*}}: tensor<1x2x?x32xf32>, %{{.*}}: tensor<1x2x?x32xf32>)
// TILING-SAME:    tok.runtime_checks = [{format = "{{.*}}cpu-pipeline.mlir:{{[0-9]+}}:{{[0-9]+}}: 'tok.attention' op expected key and value sequence lengths to match, got %lld and %lld", kind = 0 : i64, lhs = array<i64: 4, 2>, rhs = array<i64: 5, 2>, values = array<i64: 4, 2, 5, 2>}]
// TILING:         %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x?x64xf32> into tensor<?x64xf32>
// TILING:         scf.forall
// TILING:           vector.transfer_read %[[ROWS]]{{.*}} : tensor<?x64xf32>, vector<16xf32>
// TILING:           math.rsqrt
// TILING:         scf.forall {{.*}} -> (tensor<?x128xf32>)
// TILING:           vector.transfer_read %[[W]]{{.*}} : tensor<128x64xf32>, vector<16xf32>
// TILING:           vector.fma {{.*}} : vector<16xf32>
// TILING:         %[[Y:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [2, %{{.*}}, 128] : tensor<?x128xf32> into tensor<2x?x128xf32>
// TILING:         %[[O:.*]] = scf.forall (%{{.*}}, %{{.*}}) in (2, %{{.*}}) shared_outs(%{{.*}}) -> (tensor<1x4x?x32xf32>)
// TILING:           vector.transfer_read %[[Q]]
// TILING:         %[[T:.*]] = linalg.generic {{.*}} ins(%[[O]] : tensor<1x4x?x32xf32>)
// TILING:           math.tanh
// TILING:         %[[S:.*]] = linalg.generic {{.*}} ins(%[[T]] : tensor<1x4x?x32xf32>)
// TILING:           math.exp
// TILING:         return %[[Y]], %[[S]]

// fusion: the tanh generic is fused into the silu generic, which
// tok-vectorize-linalg then runs in vectors of the target's 16 lanes.
// FUSION-LABEL: func.func @block_f32
// FUSION:         %[[O:.*]] = scf.forall (%{{.*}}, %{{.*}}) in (2, %{{.*}}) shared_outs(%{{.*}}) -> (tensor<1x4x?x32xf32>)
// FUSION:         %[[S:.*]] = scf.for {{.*}} -> (tensor<1x4x?x32xf32>)
// FUSION:               tensor.extract_slice %[[O]]{{.*}} to tensor<1x1x1x16xf32>
// FUSION:               %[[TANH:.*]] = math.tanh {{.*}} : vector<1x1x1x16xf32>
// FUSION:               arith.negf %[[TANH]]
// FUSION:               math.exp {{.*}} : vector<1x1x1x16xf32>
// FUSION-NOT:     linalg.generic
// FUSION:         return %{{.*}}, %[[S]]

// bufferize: memrefs with identity layouts at the boundary, no tensor left,
// explicit deallocation, and the packed entry point that checks the
// attention's dim rule before the call (six inputs, two results, then the
// error slot).
// BUFFERIZE-LABEL: func.func @block_f32
// BUFFERIZE-SAME:    (%{{.*}}: memref<2x?x64xf32>, %{{.*}}: memref<64xf32>, %{{.*}}: memref<128x64xf32>, %{{.*}}: memref<1x4x?x32xf32>, %{{.*}}: memref<1x2x?x32xf32>, %{{.*}}: memref<1x2x?x32xf32>) -> (memref<2x?x128xf32>, memref<1x4x?x32xf32>)
// BUFFERIZE-SAME:    attributes {llvm.linkage = #llvm.linkage<internal>, tok.runtime_checks = [
// BUFFERIZE:         memref.alloc
// BUFFERIZE:         memref.dealloc
// BUFFERIZE-LABEL: func.func @_tok_entry_block_f32
// BUFFERIZE-SAME:    (%[[ARGS:.*]]: !llvm.ptr) {
// BUFFERIZE:         %[[OK:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : i64
// BUFFERIZE:         scf.if %[[OK]] {
// BUFFERIZE:           func.call @block_f32(
// BUFFERIZE:           llvm.getelementptr %[[ARGS]][6]
// BUFFERIZE:           llvm.getelementptr %[[ARGS]][7]
// BUFFERIZE:         }
// BUFFERIZE:         llvm.getelementptr %[[ARGS]][8]

// llvm: only the LLVM and OpenMP dialects are left (the parallel loops as
// omp.parallel); the function is internal and the entry is the one public
// symbol.
// LLVM-LABEL: llvm.func internal @block_f32(
// LLVM:         omp.parallel
// LLVM:         omp.wsloop
// LLVM-LABEL: llvm.func @_tok_entry_block_f32(%{{.*}}: !llvm.ptr)
// LLVM:         llvm.call @block_f32(

// BAD-PHASE: for the --compile-to option: Cannot find option named 'nope'!
// BAD-CPU: error: tokamak-cpu-pipeline: unknown CPU 'bogus' (give an LLVM x86-64 CPU name such as znver3, znver4, skylake-avx512, x86-64-v3 or host)
// BAD-FEATURE: error: tokamak-cpu-pipeline: unknown CPU feature 'nope'
// BAD-FEATURE-SIGN: error: tokamak-cpu-pipeline: expected +feature or -feature in the CPU features, got 'nope'

func.func @block_f32(%x: tensor<2x?x64xf32>, %norm_w: tensor<64xf32>, %w: tensor<128x64xf32>, %q: tensor<1x4x?x32xf32>, %k: tensor<1x2x?x32xf32>, %v: tensor<1x2x?x32xf32>) -> (tensor<2x?x128xf32>, tensor<1x4x?x32xf32>) {
  %n = tok.rms_norm %x, %norm_w {eps = 1.0e-6 : f32} : (tensor<2x?x64xf32>, tensor<64xf32>) -> tensor<2x?x64xf32>
  %y = tok.linear %n, %w : (tensor<2x?x64xf32>, tensor<128x64xf32>) -> tensor<2x?x128xf32>
  %o = tok.attention %q, %k, %v {causal} : (tensor<1x4x?x32xf32>, tensor<1x2x?x32xf32>, tensor<1x2x?x32xf32>) -> tensor<1x4x?x32xf32>
  %t = tok.activation %o {kind = "tanh"} : (tensor<1x4x?x32xf32>) -> tensor<1x4x?x32xf32>
  %unused = tok.activation %o {kind = "relu"} : (tensor<1x4x?x32xf32>) -> tensor<1x4x?x32xf32>
  %s = tok.activation %t {kind = "silu"} : (tensor<1x4x?x32xf32>) -> tensor<1x4x?x32xf32>
  return %y, %s : tensor<2x?x128xf32>, tensor<1x4x?x32xf32>
}
