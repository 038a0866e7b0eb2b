// Chunk consistency: the selective scan over L=64 run as two chunks (24 + 40)
// with the final state of the first as init of the second equals the one-shot
// sequential float64 recurrence of ref/scans.py (D, z, dt_bias, softplus, G=2).
// RUN: rm -rf %t && %python %S/../ref.py selective_scan --b=2 --l=64 --dm=16 --n=8 --g=2 --d --z --dt-bias --softplus --seed=3 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --input=@%t/in7.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<2x64x16xf32>, %dt: tensor<2x64x16xf32>, %a: tensor<16x8xf32>, %b: tensor<2x64x2x8xf32>, %c: tensor<2x64x2x8xf32>, %d: tensor<16xf32>, %z: tensor<2x64x16xf32>, %db: tensor<16xf32>) -> (tensor<2x64x16xf32>, tensor<2x16x8xf32>) {
  %x1 = tensor.extract_slice %x[0, 0, 0] [2, 24, 16] [1, 1, 1] : tensor<2x64x16xf32> to tensor<2x24x16xf32>
  %x2 = tensor.extract_slice %x[0, 24, 0] [2, 40, 16] [1, 1, 1] : tensor<2x64x16xf32> to tensor<2x40x16xf32>
  %dt1 = tensor.extract_slice %dt[0, 0, 0] [2, 24, 16] [1, 1, 1] : tensor<2x64x16xf32> to tensor<2x24x16xf32>
  %dt2 = tensor.extract_slice %dt[0, 24, 0] [2, 40, 16] [1, 1, 1] : tensor<2x64x16xf32> to tensor<2x40x16xf32>
  %b1 = tensor.extract_slice %b[0, 0, 0, 0] [2, 24, 2, 8] [1, 1, 1, 1] : tensor<2x64x2x8xf32> to tensor<2x24x2x8xf32>
  %b2 = tensor.extract_slice %b[0, 24, 0, 0] [2, 40, 2, 8] [1, 1, 1, 1] : tensor<2x64x2x8xf32> to tensor<2x40x2x8xf32>
  %c1 = tensor.extract_slice %c[0, 0, 0, 0] [2, 24, 2, 8] [1, 1, 1, 1] : tensor<2x64x2x8xf32> to tensor<2x24x2x8xf32>
  %c2 = tensor.extract_slice %c[0, 24, 0, 0] [2, 40, 2, 8] [1, 1, 1, 1] : tensor<2x64x2x8xf32> to tensor<2x40x2x8xf32>
  %z1 = tensor.extract_slice %z[0, 0, 0] [2, 24, 16] [1, 1, 1] : tensor<2x64x16xf32> to tensor<2x24x16xf32>
  %z2 = tensor.extract_slice %z[0, 24, 0] [2, 40, 16] [1, 1, 1] : tensor<2x64x16xf32> to tensor<2x40x16xf32>
  %y1, %h1 = tok.selective_scan %x1, %dt1, %a, %b1, %c1 D(%d : tensor<16xf32>) z(%z1 : tensor<2x24x16xf32>) dt_bias(%db : tensor<16xf32>) {dt_softplus} : (tensor<2x24x16xf32>, tensor<2x24x16xf32>, tensor<16x8xf32>, tensor<2x24x2x8xf32>, tensor<2x24x2x8xf32>) -> (tensor<2x24x16xf32>, tensor<2x16x8xf32>)
  %y2, %h2 = tok.selective_scan %x2, %dt2, %a, %b2, %c2 D(%d : tensor<16xf32>) z(%z2 : tensor<2x40x16xf32>) dt_bias(%db : tensor<16xf32>) init(%h1 : tensor<2x16x8xf32>) {dt_softplus} : (tensor<2x40x16xf32>, tensor<2x40x16xf32>, tensor<16x8xf32>, tensor<2x40x2x8xf32>, tensor<2x40x2x8xf32>) -> (tensor<2x40x16xf32>, tensor<2x16x8xf32>)
  %e = tensor.empty() : tensor<2x64x16xf32>
  %ya = tensor.insert_slice %y1 into %e[0, 0, 0] [2, 24, 16] [1, 1, 1] : tensor<2x24x16xf32> into tensor<2x64x16xf32>
  %y = tensor.insert_slice %y2 into %ya[0, 24, 0] [2, 40, 16] [1, 1, 1] : tensor<2x40x16xf32> into tensor<2x64x16xf32>
  return %y, %h2 : tensor<2x64x16xf32>, tensor<2x16x8xf32>
}
