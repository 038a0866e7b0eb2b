// One weight-shared layer run in an scf.for that carries the tok ops'
// result (looped / universal transformers; issue 14, item 7): each
// iteration yields a new buffer (allow-return-allocs-from-loops) that the
// ownership-based deallocation frees. Against PyTorch in ref/basics.py.
// RUN: rm -rf %t && %python %S/../ref.py looped_layer --shape=6,64 --steps=3 --seed=5 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4

func.func @main(%x: tensor<?x64xf32>, %g: tensor<64xf32>, %w: tensor<64x64xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%h = %x) -> (tensor<?x64xf32>) {
    %n = tok.rms_norm %h, %g {eps = 1.0e-6 : f32} : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
    %y = tok.linear %n, %w : (tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>
    %t = tok.activation %y {kind = "tanh"} : (tensor<?x64xf32>) -> tensor<?x64xf32>
    %z = arith.addf %h, %t : tensor<?x64xf32>
    scf.yield %z : tensor<?x64xf32>
  }
  return %r : tensor<?x64xf32>
}
