// Causal depthwise conv1d with bias and SiLU, DESIGN 4.6, as in a Mamba
// block: B1 L4096 C1536 K4 f32; L is dynamic.
func.func @conv1d(%x: tensor<1x?x1536xf32>, %w: tensor<1536x4xf32>,
                  %b: tensor<1536xf32>) -> tensor<1x?x1536xf32> {
  %y = tok.conv1d %x, %w bias(%b : tensor<1536xf32>) {activation = "silu"}
     : (tensor<1x?x1536xf32>, tensor<1536x4xf32>) -> tensor<1x?x1536xf32>
  return %y : tensor<1x?x1536xf32>
}
