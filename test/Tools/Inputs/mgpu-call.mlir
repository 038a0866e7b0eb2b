// Host code that calls one of the runtime's mgpu* functions, as GPU code
// compiled by MLIR does (tokamak-run-mgpu-symbols.test).
func.func private @mgpuSetDefaultDevice(i32)

func.func @main(%a: tensor<3xf32>) -> tensor<3xf32> {
  %c0 = arith.constant 0 : i32
  call @mgpuSetDefaultDevice(%c0) : (i32) -> ()
  %e = tensor.empty() : tensor<3xf32>
  %r = linalg.add ins(%a, %a : tensor<3xf32>, tensor<3xf32>) outs(%e : tensor<3xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}
