// Gated DeltaNet: scalar decay, beta and the delta-rule update, DESIGN 4.4:
// B1 H8 L4096 D64 f32; L is dynamic.
func.func @linear_scan_delta(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>,
                             %v: tensor<1x8x?x64xf32>, %g: tensor<1x8x?xf32>,
                             %beta: tensor<1x8x?xf32>) -> tensor<1x8x?x64xf32> {
  %o = tok.linear_scan %q, %k, %v decay(%g : tensor<1x8x?xf32>) beta(%beta : tensor<1x8x?xf32>)
         {update = "delta", scale = 0.125 : f32}
     : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>)
     -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}
