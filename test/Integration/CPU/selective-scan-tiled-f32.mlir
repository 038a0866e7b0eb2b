// Vectorized selective scan (tok-tile-selective-scan): D, z, dt_bias, init,
// softplus, 256 channels in 2 groups (two 128-channel tiles per batch), N = 16,
// L = 1100 (not a multiple of the 64-step time block), against the sequential
// float64 recurrence of ref/scans.py.
// RUN: rm -rf %t && %python %S/../ref.py selective_scan --b=2 --l=1100 --dm=256 --n=16 --g=2 --d --z --dt-bias --init --softplus --dtype=f32 --state-dtype=f32 --seed=11 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --input=@%t/in6.npy --input=@%t/in7.npy --input=@%t/in8.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=1e-4
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=1e-4

func.func @main(%x: tensor<2x1100x256xf32>, %dt: tensor<2x1100x256xf32>, %a: tensor<256x16xf32>, %b: tensor<2x1100x2x16xf32>, %c: tensor<2x1100x2x16xf32>, %d: tensor<256xf32>, %z: tensor<2x1100x256xf32>, %db: tensor<256xf32>, %h0: tensor<2x256x16xf32>) -> (tensor<2x1100x256xf32>, tensor<2x256x16xf32>) {
  %y, %h = tok.selective_scan %x, %dt, %a, %b, %c D(%d : tensor<256xf32>) z(%z : tensor<2x1100x256xf32>) dt_bias(%db : tensor<256xf32>) init(%h0 : tensor<2x256x16xf32>) {dt_softplus} : (tensor<2x1100x256xf32>, tensor<2x1100x256xf32>, tensor<256x16xf32>, tensor<2x1100x2x16xf32>, tensor<2x1100x2x16xf32>) -> (tensor<2x1100x256xf32>, tensor<2x256x16xf32>)
  return %y, %h : tensor<2x1100x256xf32>, tensor<2x256x16xf32>
}
