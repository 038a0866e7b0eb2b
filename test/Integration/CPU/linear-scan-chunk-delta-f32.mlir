// Chunk consistency: the gated delta rule (per-key decay, beta) over L=64 run
// as two chunks (40 + 24), the second starting from the first's final state,
// equals the one-shot float64 recurrence of ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py linear_scan --b=1 --heads=2 --l=64 --dk=8 --dv=8 --decay=vector --delta --beta --seed=5 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%q: tensor<1x2x64x8xf32>, %k: tensor<1x2x64x8xf32>, %v: tensor<1x2x64x8xf32>, %g: tensor<1x2x64x8xf32>, %beta: tensor<1x2x64xf32>) -> (tensor<1x2x64x8xf32>, tensor<1x2x8x8xf32>) {
  %q1 = tensor.extract_slice %q[0, 0, 0, 0] [1, 2, 40, 8] [1, 1, 1, 1] : tensor<1x2x64x8xf32> to tensor<1x2x40x8xf32>
  %q2 = tensor.extract_slice %q[0, 0, 40, 0] [1, 2, 24, 8] [1, 1, 1, 1] : tensor<1x2x64x8xf32> to tensor<1x2x24x8xf32>
  %k1 = tensor.extract_slice %k[0, 0, 0, 0] [1, 2, 40, 8] [1, 1, 1, 1] : tensor<1x2x64x8xf32> to tensor<1x2x40x8xf32>
  %k2 = tensor.extract_slice %k[0, 0, 40, 0] [1, 2, 24, 8] [1, 1, 1, 1] : tensor<1x2x64x8xf32> to tensor<1x2x24x8xf32>
  %v1 = tensor.extract_slice %v[0, 0, 0, 0] [1, 2, 40, 8] [1, 1, 1, 1] : tensor<1x2x64x8xf32> to tensor<1x2x40x8xf32>
  %v2 = tensor.extract_slice %v[0, 0, 40, 0] [1, 2, 24, 8] [1, 1, 1, 1] : tensor<1x2x64x8xf32> to tensor<1x2x24x8xf32>
  %g1 = tensor.extract_slice %g[0, 0, 0, 0] [1, 2, 40, 8] [1, 1, 1, 1] : tensor<1x2x64x8xf32> to tensor<1x2x40x8xf32>
  %g2 = tensor.extract_slice %g[0, 0, 40, 0] [1, 2, 24, 8] [1, 1, 1, 1] : tensor<1x2x64x8xf32> to tensor<1x2x24x8xf32>
  %beta1 = tensor.extract_slice %beta[0, 0, 0] [1, 2, 40] [1, 1, 1] : tensor<1x2x64xf32> to tensor<1x2x40xf32>
  %beta2 = tensor.extract_slice %beta[0, 0, 40] [1, 2, 24] [1, 1, 1] : tensor<1x2x64xf32> to tensor<1x2x24xf32>
  %o1, %s1 = tok.linear_scan %q1, %k1, %v1 decay(%g1 : tensor<1x2x40x8xf32>) beta(%beta1 : tensor<1x2x40xf32>) {update = "delta"} : (tensor<1x2x40x8xf32>, tensor<1x2x40x8xf32>, tensor<1x2x40x8xf32>) -> (tensor<1x2x40x8xf32>, tensor<1x2x8x8xf32>)
  %o2, %s2 = tok.linear_scan %q2, %k2, %v2 decay(%g2 : tensor<1x2x24x8xf32>) beta(%beta2 : tensor<1x2x24xf32>) init(%s1 : tensor<1x2x8x8xf32>) {update = "delta"} : (tensor<1x2x24x8xf32>, tensor<1x2x24x8xf32>, tensor<1x2x24x8xf32>) -> (tensor<1x2x24x8xf32>, tensor<1x2x8x8xf32>)
  %e = tensor.empty() : tensor<1x2x64x8xf32>
  %oa = tensor.insert_slice %o1 into %e[0, 0, 0, 0] [1, 2, 40, 8] [1, 1, 1, 1] : tensor<1x2x40x8xf32> into tensor<1x2x64x8xf32>
  %o = tensor.insert_slice %o2 into %oa[0, 0, 40, 0] [1, 2, 24, 8] [1, 1, 1, 1] : tensor<1x2x24x8xf32> into tensor<1x2x64x8xf32>
  return %o, %s2 : tensor<1x2x64x8xf32>, tensor<1x2x8x8xf32>
}
