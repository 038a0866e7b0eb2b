// RUN: tokamak-opt %s --split-input-file --mlir-print-op-on-diagnostic=false --tok-tile-selective-scan="cpu=znver3 remarks=true" --tok-tile-linear-scan="cpu=znver3 remarks=true" --tok-tile-conv1d="cpu=znver3 remarks=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=AVX2-REMARKS
// RUN: tokamak-opt %s --split-input-file --tok-tile-selective-scan="cpu=znver3" --tok-tile-linear-scan="cpu=znver3" --tok-tile-conv1d="cpu=znver3" | FileCheck %s --check-prefix=AVX2
// RUN: tokamak-opt %s --split-input-file --mlir-print-op-on-diagnostic=false --tok-tile-selective-scan="cpu=znver4 remarks=true" --tok-tile-linear-scan="cpu=znver4 remarks=true" --tok-tile-conv1d="cpu=znver4 remarks=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=AVX512-REMARKS
// RUN: tokamak-opt %s --split-input-file --tok-tile-selective-scan="cpu=znver4" --tok-tile-linear-scan="cpu=znver4" --tok-tile-conv1d="cpu=znver4" | FileCheck %s --check-prefix=AVX512

// The scan and mixer kernels take their vector width, register tiles and
// cache tiles from the target: AVX2 (znver3: 16 ymm registers of 8 f32
// lanes, 512 KiB L2) against AVX-512 (znver4: 32 zmm registers of 16
// lanes, 1 MiB L2).

// Mamba-1 at N = 16: 8-lane channel vectors whose 16 states run as two
// blocks of 8 in registers with the generic exponential on AVX2; 16-lane
// vectors with all 16 states in registers and vscalefps on AVX-512. The
// staged rows fit a quarter of L2 at 128 channels on both.

// AVX2-REMARKS: remark: tok-tile-selective-scan: target cpu=znver3 vector-bits=256 f32-lanes=8 vector-registers=16
// AVX2-REMARKS: remark: tok-tile-selective-scan: 8-lane channel vectors, channel tile 128, time block 64, 8 states in registers, exponentials by exponent-field add, 2 at a time
// AVX2-LABEL:   func.func @selective_scan_mamba_f32
// AVX2:           memref.alloca() {alignment = 64 : i64} : memref<16x16x8xf32>
// AVX2:           %{{.*}}:8 = scf.for {{.*}} -> (vector<8xf32>,
// AVX2-COUNT-8:     math.roundeven {{.*}} : vector<8xf32>
// AVX2:           %{{.*}}:8 = scf.for {{.*}} -> (vector<8xf32>,
// AVX2-NOT:       x86vector
// AVX2-NOT:       vector<16xf32>
// AVX2:           return

// AVX512-REMARKS: remark: tok-tile-selective-scan: target cpu=znver4 vector-bits=512 f32-lanes=16 vector-registers=32
// AVX512-REMARKS: remark: tok-tile-selective-scan: 16-lane channel vectors, channel tile 128, time block 64, 16 states in registers, exponentials scaled by vscalefps, 4 at a time
// AVX512-LABEL: func.func @selective_scan_mamba_f32
// AVX512:         memref.alloca() {alignment = 64 : i64} : memref<8x16x16xf32>
// AVX512:         %{{.*}}:16 = scf.for {{.*}} -> (vector<16xf32>,
// AVX512-COUNT-4:   x86vector.avx512.mask.scalef {{.*}} : vector<16xf32>
// AVX512-NOT:     vector<8xf32>
// AVX512:         return
func.func @selective_scan_mamba_f32(%x: tensor<?x?x256xf32>, %dt: tensor<?x?x256xf32>, %a: tensor<256x16xf32>, %b: tensor<?x?x1x16xf32>, %c: tensor<?x?x1x16xf32>, %d: tensor<256xf32>, %z: tensor<?x?x256xf32>) -> tensor<?x?x256xf32> {
  %y = tok.selective_scan %x, %dt, %a, %b, %c D(%d : tensor<256xf32>) z(%z : tensor<?x?x256xf32>) {dt_softplus} : (tensor<?x?x256xf32>, tensor<?x?x256xf32>, tensor<256x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>) -> tensor<?x?x256xf32>
  return %y : tensor<?x?x256xf32>
}

// -----

// Linear attention with a per-channel decay, D = 64: 8-lane vectors and
// 4 x 2 micro-kernel tiles (8 accumulators, 2 column vectors and a
// broadcast in 16 ymm) on AVX2, 16-lane vectors and 4 x 4 tiles with
// vscalefps exponentials on AVX-512; 16-step chunks on both.

// AVX2-REMARKS: remark: tok-tile-linear-scan: 8-lane vectors, 16-step chunks, 4x2 micro-kernel tiles, exponentials by exponent-field add
// AVX2-LABEL:   func.func @linear_scan_vector_decay_f32
// AVX2:           vector.transfer_read {{.*}} : memref<16x64xf32>, vector<8x8xf32>
// AVX2:           %{{.*}}:8 = scf.for {{.*}} -> (vector<8xf32>,
// AVX2-COUNT-8:     vector.fma {{.*}} : vector<8xf32>
// AVX2-NOT:       x86vector
// AVX2-NOT:       vector<16xf32>
// AVX2:           return

// AVX512-REMARKS: remark: tok-tile-linear-scan: 16-lane vectors, 16-step chunks, 4x4 micro-kernel tiles, exponentials scaled by vscalefps
// AVX512-LABEL: func.func @linear_scan_vector_decay_f32
// AVX512:         x86vector.avx512.mask.scalef
// AVX512:         vector.transfer_read {{.*}} : memref<16x64xf32>, vector<16x16xf32>
// AVX512:         %{{.*}}:16 = scf.for {{.*}} -> (vector<16xf32>,
// AVX512-COUNT-16:  vector.fma {{.*}} : vector<16xf32>
// AVX512-NOT:     vector<8xf32>
// AVX512:         return
func.func @linear_scan_vector_decay_f32(%q: tensor<1x2x?x64xf32>, %k: tensor<1x2x?x64xf32>, %v: tensor<1x2x?x64xf32>, %g: tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32> {
  %o = tok.linear_scan %q, %k, %v decay(%g : tensor<1x2x?x64xf32>) : (tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32>
  return %o : tensor<1x2x?x64xf32>
}

// -----

// Mamba's causal conv1d, K = 4: the kernel streams x and y, so a task's
// rows are 64 channels (four cache lines) on both: 8 ymm vectors on AVX2,
// 4 zmm vectors on AVX-512.

// AVX2-REMARKS: remark: tok-tile-conv1d: 8-lane vectors, channel tile 64 (8 vectors)
// AVX2-LABEL:   func.func @conv1d_mamba_f32
// AVX2:           scf.forall ({{.*}}) in (%{{.*}}, 24, 1)
// AVX2:           scf.for {{.*}} -> (tensor<1x?x?xf32>, vector<8xf32>,
// AVX2-COUNT-8:     vector.transfer_write {{.*}} : vector<8xf32>, tensor<1x?x?xf32>
// AVX2-NOT:       vector<16xf32>
// AVX2:           return

// AVX512-REMARKS: remark: tok-tile-conv1d: 16-lane vectors, channel tile 64 (4 vectors)
// AVX512-LABEL: func.func @conv1d_mamba_f32
// AVX512:         scf.forall ({{.*}}) in (%{{.*}}, 24, 1)
// AVX512:         scf.for {{.*}} -> (tensor<1x?x?xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// AVX512-NOT:     vector<8xf32>
// AVX512:         return
func.func @conv1d_mamba_f32(%x: tensor<?x?x1536xf32>, %w: tensor<1536x4xf32>, %bias: tensor<1536xf32>) -> tensor<?x?x1536xf32> {
  %y = tok.conv1d %x, %w bias(%bias : tensor<1536xf32>) {activation = "silu"} : (tensor<?x?x1536xf32>, tensor<1536x4xf32>) -> tensor<?x?x1536xf32>
  return %y : tensor<?x?x1536xf32>
}
