// The `make demo` example: one module with a causal GQA attention layer and a
// Mamba-style selective scan, compiled ahead of time into one artifact.

// Causal attention, 8 query heads over 2 kv heads, dynamic sequence length.
func.func @attention(%q: tensor<1x8x?x64xf32>, %k: tensor<1x2x?x64xf32>,
                     %v: tensor<1x2x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %o = tok.attention %q, %k, %v {causal}
     : (tensor<1x8x?x64xf32>, tensor<1x2x?x64xf32>, tensor<1x2x?x64xf32>)
     -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// Selective scan (Mamba-1) with D, z gating, dt bias + softplus and an
// initial state; returns the outputs and the final state.
func.func @selective_scan(%x: tensor<1x?x256xf32>, %dt: tensor<1x?x256xf32>,
                          %a: tensor<256x16xf32>, %b: tensor<1x?x1x16xf32>,
                          %c: tensor<1x?x1x16xf32>, %d: tensor<256xf32>,
                          %z: tensor<1x?x256xf32>, %db: tensor<256xf32>,
                          %h0: tensor<1x256x16xf32>)
    -> (tensor<1x?x256xf32>, tensor<1x256x16xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c D(%d : tensor<256xf32>)
             z(%z : tensor<1x?x256xf32>) dt_bias(%db : tensor<256xf32>)
             init(%h0 : tensor<1x256x16xf32>) {dt_softplus}
     : (tensor<1x?x256xf32>, tensor<1x?x256xf32>, tensor<256x16xf32>,
        tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>)
     -> (tensor<1x?x256xf32>, tensor<1x256x16xf32>)
  return %y, %h : tensor<1x?x256xf32>, tensor<1x256x16xf32>
}
