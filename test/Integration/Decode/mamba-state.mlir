// A one-layer Mamba model (embedding, in projections, causal conv1d with
// SiLU, selective scan with D, z gate, dt_bias and softplus, out projection
// with a residual, LM head) decoded through rt::Session: the conv1d and scan
// states go through the StateCache, each step starting from the previous
// step's final state. Every logit row the session produces (prefill one
// sequence per call, batched decode of sequences of different lengths, a
// fork, a freed sequence, a prompt continued on a sequence that holds
// tokens) equals the row of @forward, the one-shot scan of the whole
// sequence from zero state, and the PyTorch reference.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/decode_ref.py weights --model=mamba --seed=2 --out=%t/w
// RUN: tokamak-decode-check %s --weights=%t/w --out=%t/run | FileCheck %s
// RUN: %python %S/decode_ref.py check --model=mamba --weights=%t/w --run=%t/run --rtol=1e-4

// CHECK: model: 0 attention layers, 2 recurrent states, 13 weights, vocab 32, kv policy full
// CHECK: prefill 0 1 2: 5 11 3 tokens
// CHECK: fork 1 -> 4
// CHECK: free 2
// CHECK: prefill 3: 7 tokens
// CHECK: prefill 0: 3 tokens (continuation)
// CHECK: error (expected): decode: unknown sequence 2
// CHECK: sequence 0: 20 tokens, 0 cache rows, 14 logit rows, max rel err vs @forward {{[0-9.e+-]+$}}
// CHECK: sequence 1: 23 tokens, 0 cache rows, 13 logit rows, max rel err vs @forward {{[0-9.e+-]+$}}
// CHECK: sequence 2: 7 tokens, freed, 5 logit rows, max rel err vs @forward {{[0-9.e+-]+$}}
// CHECK: sequence 3: 15 tokens, 0 cache rows, 9 logit rows, max rel err vs @forward {{[0-9.e+-]+$}}
// CHECK: sequence 4: 23 tokens, 0 cache rows, 13 logit rows, max rel err vs @forward {{[0-9.e+-]+$}}
// CHECK: OK

// Vocabulary 32, width 16, inner width 24, state size 4, conv kernel 4.
// States: conv [N, 24, 3], scan [N, 24, 4]. Weights: embedding [32, 16],
// in_x [24, 16], in_z [24, 16], conv weight [24, 4], conv bias [24],
// dt [24, 24], dt_bias [24], B [4, 24], C [4, 24], A [24, 4], D [24],
// out [16, 24], lm_head [32, 16].

// @prefill gets one sequence per call ([1, T] tokens): the session knows the
// scans take no seq_starts. @decode gets [B, 1].
func.func @prefill(%tokens: tensor<?x?xi32>, %positions: tensor<?x?xi32>,
                   %seq_starts: tensor<?xi32>, %slots: tensor<?x?xi32>,
                   %block_table: tensor<?x?xi32>, %lens: tensor<?xi32>,
                   %conv0: tensor<?x24x3xf32>, %ssm0: tensor<?x24x4xf32>,
                   %emb: tensor<32x16xf32>, %w_x: tensor<24x16xf32>,
                   %w_z: tensor<24x16xf32>, %conv_w: tensor<24x4xf32>,
                   %conv_b: tensor<24xf32>, %w_dt: tensor<24x24xf32>,
                   %dt_bias: tensor<24xf32>, %w_b: tensor<4x24xf32>,
                   %w_c: tensor<4x24xf32>, %a: tensor<24x4xf32>,
                   %d: tensor<24xf32>, %w_out: tensor<16x24xf32>,
                   %w_lm: tensor<32x16xf32>)
    -> (tensor<?x32xf32>, tensor<?x24x3xf32>, tensor<?x24x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %tokens, %c0 : tensor<?x?xi32>
  %l = tensor.dim %tokens, %c1 : tensor<?x?xi32>
  %x = tok.embedding %tokens, %emb : (tensor<?x?xi32>, tensor<32x16xf32>) -> tensor<?x?x16xf32>
  %xin = tok.linear %x, %w_x : (tensor<?x?x16xf32>, tensor<24x16xf32>) -> tensor<?x?x24xf32>
  %z = tok.linear %x, %w_z : (tensor<?x?x16xf32>, tensor<24x16xf32>) -> tensor<?x?x24xf32>
  %xc, %conv1 = tok.conv1d %xin, %conv_w bias(%conv_b : tensor<24xf32>) init(%conv0 : tensor<?x24x3xf32>) {activation = "silu"} : (tensor<?x?x24xf32>, tensor<24x4xf32>) -> (tensor<?x?x24xf32>, tensor<?x24x3xf32>)
  %dt = tok.linear %xc, %w_dt : (tensor<?x?x24xf32>, tensor<24x24xf32>) -> tensor<?x?x24xf32>
  %bm = tok.linear %xc, %w_b : (tensor<?x?x24xf32>, tensor<4x24xf32>) -> tensor<?x?x4xf32>
  %cm = tok.linear %xc, %w_c : (tensor<?x?x24xf32>, tensor<4x24xf32>) -> tensor<?x?x4xf32>
  %bm4 = tensor.expand_shape %bm [[0], [1, 2], [3]] output_shape [%b, %l, 1, 4] : tensor<?x?x4xf32> into tensor<?x?x1x4xf32>
  %cm4 = tensor.expand_shape %cm [[0], [1, 2], [3]] output_shape [%b, %l, 1, 4] : tensor<?x?x4xf32> into tensor<?x?x1x4xf32>
  %y, %ssm1 = tok.selective_scan %xc, %dt, %a, %bm4, %cm4 D(%d : tensor<24xf32>) z(%z : tensor<?x?x24xf32>) dt_bias(%dt_bias : tensor<24xf32>) init(%ssm0 : tensor<?x24x4xf32>) {dt_softplus} : (tensor<?x?x24xf32>, tensor<?x?x24xf32>, tensor<24x4xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x4xf32>) -> (tensor<?x?x24xf32>, tensor<?x24x4xf32>)
  %o = tok.linear %y, %w_out : (tensor<?x?x24xf32>, tensor<16x24xf32>) -> tensor<?x?x16xf32>
  %he = tensor.empty(%b, %l) : tensor<?x?x16xf32>
  %hid = linalg.add ins(%x, %o : tensor<?x?x16xf32>, tensor<?x?x16xf32>) outs(%he : tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  // The last token's row.
  %lm1 = arith.subi %l, %c1 : index
  %last = tensor.extract_slice %hid[0, %lm1, 0] [%b, 1, 16] [1, 1, 1] : tensor<?x?x16xf32> to tensor<?x16xf32>
  %logits = tok.linear %last, %w_lm : (tensor<?x16xf32>, tensor<32x16xf32>) -> tensor<?x32xf32>
  return %logits, %conv1, %ssm1 : tensor<?x32xf32>, tensor<?x24x3xf32>, tensor<?x24x4xf32>
}

func.func @decode(%tokens: tensor<?x1xi32>, %positions: tensor<?x1xi32>,
                  %seq_starts: tensor<?xi32>, %slots: tensor<?x1xi32>,
                  %block_table: tensor<?x?xi32>, %lens: tensor<?xi32>,
                  %conv0: tensor<?x24x3xf32>, %ssm0: tensor<?x24x4xf32>,
                  %emb: tensor<32x16xf32>, %w_x: tensor<24x16xf32>,
                  %w_z: tensor<24x16xf32>, %conv_w: tensor<24x4xf32>,
                  %conv_b: tensor<24xf32>, %w_dt: tensor<24x24xf32>,
                  %dt_bias: tensor<24xf32>, %w_b: tensor<4x24xf32>,
                  %w_c: tensor<4x24xf32>, %a: tensor<24x4xf32>,
                  %d: tensor<24xf32>, %w_out: tensor<16x24xf32>,
                  %w_lm: tensor<32x16xf32>)
    -> (tensor<?x32xf32>, tensor<?x24x3xf32>, tensor<?x24x4xf32>) {
  %c0 = arith.constant 0 : index
  %b = tensor.dim %tokens, %c0 : tensor<?x1xi32>
  %x = tok.embedding %tokens, %emb : (tensor<?x1xi32>, tensor<32x16xf32>) -> tensor<?x1x16xf32>
  %xin = tok.linear %x, %w_x : (tensor<?x1x16xf32>, tensor<24x16xf32>) -> tensor<?x1x24xf32>
  %z = tok.linear %x, %w_z : (tensor<?x1x16xf32>, tensor<24x16xf32>) -> tensor<?x1x24xf32>
  %xc, %conv1 = tok.conv1d %xin, %conv_w bias(%conv_b : tensor<24xf32>) init(%conv0 : tensor<?x24x3xf32>) {activation = "silu"} : (tensor<?x1x24xf32>, tensor<24x4xf32>) -> (tensor<?x1x24xf32>, tensor<?x24x3xf32>)
  %dt = tok.linear %xc, %w_dt : (tensor<?x1x24xf32>, tensor<24x24xf32>) -> tensor<?x1x24xf32>
  %bm = tok.linear %xc, %w_b : (tensor<?x1x24xf32>, tensor<4x24xf32>) -> tensor<?x1x4xf32>
  %cm = tok.linear %xc, %w_c : (tensor<?x1x24xf32>, tensor<4x24xf32>) -> tensor<?x1x4xf32>
  %bm4 = tensor.expand_shape %bm [[0], [1, 2], [3]] output_shape [%b, 1, 1, 4] : tensor<?x1x4xf32> into tensor<?x1x1x4xf32>
  %cm4 = tensor.expand_shape %cm [[0], [1, 2], [3]] output_shape [%b, 1, 1, 4] : tensor<?x1x4xf32> into tensor<?x1x1x4xf32>
  %y, %ssm1 = tok.selective_scan %xc, %dt, %a, %bm4, %cm4 D(%d : tensor<24xf32>) z(%z : tensor<?x1x24xf32>) dt_bias(%dt_bias : tensor<24xf32>) init(%ssm0 : tensor<?x24x4xf32>) {dt_softplus} : (tensor<?x1x24xf32>, tensor<?x1x24xf32>, tensor<24x4xf32>, tensor<?x1x1x4xf32>, tensor<?x1x1x4xf32>) -> (tensor<?x1x24xf32>, tensor<?x24x4xf32>)
  %o = tok.linear %y, %w_out : (tensor<?x1x24xf32>, tensor<16x24xf32>) -> tensor<?x1x16xf32>
  %he = tensor.empty(%b) : tensor<?x1x16xf32>
  %hid = linalg.add ins(%x, %o : tensor<?x1x16xf32>, tensor<?x1x16xf32>) outs(%he : tensor<?x1x16xf32>) -> tensor<?x1x16xf32>
  %l3 = tok.linear %hid, %w_lm : (tensor<?x1x16xf32>, tensor<32x16xf32>) -> tensor<?x1x32xf32>
  %logits = tensor.collapse_shape %l3 [[0], [1, 2]] : tensor<?x1x32xf32> into tensor<?x32xf32>
  return %logits, %conv1, %ssm1 : tensor<?x32xf32>, tensor<?x24x3xf32>, tensor<?x24x4xf32>
}

// The reference: the whole sequence in one scan from zero state.
func.func @forward(%tokens: tensor<1x?xi32>, %positions: tensor<1x?xi32>,
                   %emb: tensor<32x16xf32>, %w_x: tensor<24x16xf32>,
                   %w_z: tensor<24x16xf32>, %conv_w: tensor<24x4xf32>,
                   %conv_b: tensor<24xf32>, %w_dt: tensor<24x24xf32>,
                   %dt_bias: tensor<24xf32>, %w_b: tensor<4x24xf32>,
                   %w_c: tensor<4x24xf32>, %a: tensor<24x4xf32>,
                   %d: tensor<24xf32>, %w_out: tensor<16x24xf32>,
                   %w_lm: tensor<32x16xf32>) -> tensor<1x?x32xf32> {
  %c1 = arith.constant 1 : index
  %l = tensor.dim %tokens, %c1 : tensor<1x?xi32>
  %x = tok.embedding %tokens, %emb : (tensor<1x?xi32>, tensor<32x16xf32>) -> tensor<1x?x16xf32>
  %xin = tok.linear %x, %w_x : (tensor<1x?x16xf32>, tensor<24x16xf32>) -> tensor<1x?x24xf32>
  %z = tok.linear %x, %w_z : (tensor<1x?x16xf32>, tensor<24x16xf32>) -> tensor<1x?x24xf32>
  %xc, %conv1 = tok.conv1d %xin, %conv_w bias(%conv_b : tensor<24xf32>) {activation = "silu"} : (tensor<1x?x24xf32>, tensor<24x4xf32>) -> (tensor<1x?x24xf32>, tensor<1x24x3xf32>)
  %dt = tok.linear %xc, %w_dt : (tensor<1x?x24xf32>, tensor<24x24xf32>) -> tensor<1x?x24xf32>
  %bm = tok.linear %xc, %w_b : (tensor<1x?x24xf32>, tensor<4x24xf32>) -> tensor<1x?x4xf32>
  %cm = tok.linear %xc, %w_c : (tensor<1x?x24xf32>, tensor<4x24xf32>) -> tensor<1x?x4xf32>
  %bm4 = tensor.expand_shape %bm [[0], [1, 2], [3]] output_shape [1, %l, 1, 4] : tensor<1x?x4xf32> into tensor<1x?x1x4xf32>
  %cm4 = tensor.expand_shape %cm [[0], [1, 2], [3]] output_shape [1, %l, 1, 4] : tensor<1x?x4xf32> into tensor<1x?x1x4xf32>
  %y, %ssm1 = tok.selective_scan %xc, %dt, %a, %bm4, %cm4 D(%d : tensor<24xf32>) z(%z : tensor<1x?x24xf32>) dt_bias(%dt_bias : tensor<24xf32>) {dt_softplus} : (tensor<1x?x24xf32>, tensor<1x?x24xf32>, tensor<24x4xf32>, tensor<1x?x1x4xf32>, tensor<1x?x1x4xf32>) -> (tensor<1x?x24xf32>, tensor<1x24x4xf32>)
  %o = tok.linear %y, %w_out : (tensor<1x?x24xf32>, tensor<16x24xf32>) -> tensor<1x?x16xf32>
  %he = tensor.empty(%l) : tensor<1x?x16xf32>
  %hid = linalg.add ins(%x, %o : tensor<1x?x16xf32>, tensor<1x?x16xf32>) outs(%he : tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %logits = tok.linear %hid, %w_lm : (tensor<1x?x16xf32>, tensor<32x16xf32>) -> tensor<1x?x32xf32>
  return %logits : tensor<1x?x32xf32>
}
