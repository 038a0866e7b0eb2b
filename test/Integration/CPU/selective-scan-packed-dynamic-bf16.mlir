// Packed selective_scan, bf16, with a run-time number of sequences (the
// seq_starts and final-state dims are `?`) and no init; the last offset
// lies 4 past the end and is clamped to L.
// RUN: rm -rf %t && %python %S/../ref.py selective_scan_packed --lens=7,9,3 --overshoot=4 --dm=32 --n=16 --dtype=bf16 --seed=42 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --output=@%t/out0.npy --output=@%t/out1.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2
// RUN: %python %S/../compare.py %t/out1.npy %t/ref1.npy --rtol=2e-2

func.func @main(%x: tensor<1x?x32xbf16>, %dt: tensor<1x?x32xbf16>, %A: tensor<32x16xbf16>, %B: tensor<1x?x1x16xbf16>, %C: tensor<1x?x1x16xbf16>, %cu: tensor<?xi32>) -> (tensor<1x?x32xbf16>, tensor<?x32x16xbf16>) {
  %y, %h = tok.selective_scan %x, %dt, %A, %B, %C seq_starts(%cu : tensor<?xi32>) : (tensor<1x?x32xbf16>, tensor<1x?x32xbf16>, tensor<32x16xbf16>, tensor<1x?x1x16xbf16>, tensor<1x?x1x16xbf16>) -> (tensor<1x?x32xbf16>, tensor<?x32x16xbf16>)
  return %y, %h : tensor<1x?x32xbf16>, tensor<?x32x16xbf16>
}
