// Block lists on packed variable-length sequences (seq_starts, an empty
// sequence, padding rows): block positions are rows and keys of the packed
// tensors; each list led by its diagonal block; causal MQA, bf16.
// RUN: rm -rf %t && %python %S/../ref.py attention --b=1 --hq=4 --hkv=1 --sq=800 --skv=800 --d=64 --dtype=bf16 --causal --seqlens=300,0,417,50 --block_q=64 --block_k=64 --max_sel=5 --counts --diag --seed=6 --out=%t
// RUN: tokamak-run %s --input=@%t/in0.npy --input=@%t/in1.npy --input=@%t/in2.npy --input=@%t/in3.npy --input=@%t/in4.npy --input=@%t/in5.npy --output=@%t/out0.npy
// RUN: %python %S/../compare.py %t/out0.npy %t/ref0.npy --rtol=2e-2

func.func @main(%q: tensor<1x4x?x64xbf16>, %k: tensor<1x1x?x64xbf16>, %v: tensor<1x1x?x64xbf16>, %cu: tensor<5xi32>, %idx: tensor<1x1x13x5xi32>, %cnt: tensor<1x1x13xi32>) -> tensor<1x4x?x64xbf16> {
  %o = tok.attention %q, %k, %v seq_starts(%cu : tensor<5xi32>) block_indices(%idx : tensor<1x1x13x5xi32>) block_counts(%cnt : tensor<1x1x13xi32>) {block_k = 64 : i64, block_q = 64 : i64, causal} : (tensor<1x4x?x64xbf16>, tensor<1x1x?x64xbf16>, tensor<1x1x?x64xbf16>) -> tensor<1x4x?x64xbf16>
  return %o : tensor<1x4x?x64xbf16>
}
