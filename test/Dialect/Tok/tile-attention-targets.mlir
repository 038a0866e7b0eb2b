// RUN: tokamak-opt %s --split-input-file --tok-tile-attention="cpu=znver3 remarks=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK-AVX2
// RUN: tokamak-opt %s --split-input-file --tok-tile-attention="cpu=znver4 remarks=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK-AVX512
// RUN: tokamak-opt %s --split-input-file --tok-tile-attention="cpu=znver3" | FileCheck %s --check-prefix=AVX2
// RUN: tokamak-opt %s --split-input-file --tok-tile-attention="cpu=znver4" | FileCheck %s --check-prefix=AVX512

// The vector width and the register blocks of tok-tile-attention come from
// the target (chooseAttentionTiles): AVX2 (16 ymm of 8 f32) transposes K in
// 8x8 tiles and accumulates S = Q.Kᵀ and P.V in 4 x 16 blocks (8 ymm); the
// 16-key score slices go through the probability scratch. AVX-512 (32 zmm
// of 16 f32) transposes 16x16 and keeps 4 x 64 blocks (16 zmm).

// REMARK-AVX2: remark: tok-tile-attention: target cpu=znver3 vector-bits=256 f32-lanes=8 vector-registers=16
// REMARK-AVX2: remark: tok-tile-attention: tiles lanes=8 transpose=8x8 qk=4x16 pv=4x16 block-keys=64
// AVX2-LABEL: func.func @prefill
// K transposes: three shuffle stages on 8-lane rows.
// AVX2:         vector.shuffle {{.*}} [0, 1, 2, 3, 8, 9, 10, 11] : vector<8xf32>, vector<8xf32>
// AVX2:         vector.shuffle {{.*}} [0, 1, 8, 9, 4, 5, 12, 13] : vector<8xf32>, vector<8xf32>
// AVX2:         vector.shuffle {{.*}} [0, 8, 2, 10, 4, 12, 6, 14] : vector<8xf32>, vector<8xf32>
// AVX2-NOT:     vector<16xf32>, vector<16xf32>
// S in 16-key slices of 4 rows, stored into the scratch and read back whole.
// AVX2:         scf.for
// AVX2-COUNT-4:   vector.fma {{.*}} : vector<16xf32>
// AVX2:         vector.transfer_write {{.*}} : vector<16xf32>, tensor<64x64xf32>
// AVX2:         vector.transfer_read {{.*}} : tensor<64x64xf32>, vector<64xf32>
// P.V: 4 rows x 16 value columns.
// AVX2:         scf.for
// AVX2-COUNT-4:   vector.fma {{.*}} : vector<16xf32>
// AVX2-NOT:     vector.fma {{.*}} : vector<64xf32>

// REMARK-AVX512: remark: tok-tile-attention: target cpu=znver4 vector-bits=512 f32-lanes=16 vector-registers=32
// REMARK-AVX512: remark: tok-tile-attention: tiles lanes=16 transpose=16x16 qk=4x64 pv=4x64 block-keys=64
// AVX512-LABEL: func.func @prefill
// AVX512:       vector.shuffle {{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23] : vector<16xf32>, vector<16xf32>
// AVX512-NOT:   vector<8xf32>, vector<8xf32>
// S of 4 rows x 64 keys stays in registers.
// AVX512:       scf.for
// AVX512-COUNT-4: vector.fma {{.*}} : vector<64xf32>
// AVX512-NOT:   vector.transfer_write {{.*}} : vector<16xf32>, tensor<64x64xf32>
// P.V: 4 rows x 64 value columns.
// AVX512:       scf.for
// AVX512-COUNT-4: vector.fma {{.*}} : vector<64xf32>
func.func @prefill(%q: tensor<1x8x128x64xf32>, %k: tensor<1x8x128x64xf32>,
                   %v: tensor<1x8x128x64xf32>) -> tensor<1x8x128x64xf32> {
  %o = tok.attention %q, %k, %v {causal}
     : (tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>, tensor<1x8x128x64xf32>)
     -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

// Decode: groups of `lanes` keys, each row summing `lanes` partial vectors
// by a log2(lanes)-stage transpose-reduction (3 stages of 8-lane shuffles
// on AVX2, 4 of 16-lane shuffles on AVX-512).
// AVX2-LABEL: func.func @decode
// AVX2:         scf.for {{.*}} step %c8{{(_[0-9]+)?}} iter_args({{.*}}) -> (tensor<4x64xf32>)
// AVX2-COUNT-8:   vector.fma {{.*}} : vector<8xf32>
// AVX2:         vector.shuffle {{.*}} [0, 1, 2, 3, 8, 9, 10, 11] : vector<8xf32>, vector<8xf32>
// AVX2:         vector.shuffle {{.*}} [0, 1, 4, 5, 8, 9, 12, 13] : vector<8xf32>, vector<8xf32>
// AVX2:         vector.shuffle {{.*}} [0, 2, 4, 6, 8, 10, 12, 14] : vector<8xf32>, vector<8xf32>
// AVX2:         vector.transfer_write {{.*}} : vector<8xf32>, tensor<4x64xf32>

// AVX512-LABEL: func.func @decode
// AVX512:       scf.for {{.*}} step %c16{{(_[0-9]+)?}} iter_args({{.*}}) -> (tensor<4x64xf32>)
// AVX512-COUNT-16: vector.fma {{.*}} : vector<16xf32>
// AVX512:       vector.shuffle {{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23] : vector<16xf32>, vector<16xf32>
// AVX512:       vector.transfer_write {{.*}} : vector<16xf32>, tensor<4x64xf32>
func.func @decode(%q: tensor<1x32x1x128xf32>, %k: tensor<1x8x4096x128xf32>,
                  %v: tensor<1x8x4096x128xf32>) -> tensor<1x32x1x128xf32> {
  %o = tok.attention %q, %k, %v
     : (tensor<1x32x1x128xf32>, tensor<1x8x4096x128xf32>, tensor<1x8x4096x128xf32>)
     -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}
