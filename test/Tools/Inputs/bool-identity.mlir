// A function of one i1 tensor, for the checks of boolean inputs.
func.func @main(%a: tensor<4xi1>) -> tensor<4xi1> {
  return %a : tensor<4xi1>
}
