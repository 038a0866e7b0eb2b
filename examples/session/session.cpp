//===- session.cpp - Batched generation with rt::Session ------------------===//
//
// Part of the Tokamak project. JIT-compiles a one-layer attention model
// (embedding, q/k/v projections, RoPE, paged GQA attention, output
// projection, LM head) from MLIR text, gives it made-up weights, and uses an
// rt::Session to prefill two prompts of different lengths in one packed call
// and decode both together: first greedily with Session::generate, then with
// seeded temperature/top-k/top-p sampling one step at a time. Build: the
// `tokamak-session-example` target; run it without arguments.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Session.h"
#include "tokamak/Compiler/Compiler.h"

#include "llvm/Support/raw_ostream.h"

#include <vector>

using namespace tokamak;

// The model ABI (docs/Session.md): tokens, positions, seq_starts, slots,
// block_table, lens, then the K and V pools (donated), then the weights;
// @prefill takes the prompts packed, @decode one token per sequence.
static const char *kModel = R"mlir(
func.func @prefill(%tokens: tensor<1x?xi32>, %positions: tensor<1x?xi32>,
                   %seq_starts: tensor<?xi32>, %slots: tensor<1x?xi32>,
                   %block_table: tensor<?x?xi32>, %lens: tensor<?xi32>,
                   %kc: tensor<16x4x1x8xf32> {bufferization.writable = true},
                   %vc: tensor<16x4x1x8xf32> {bufferization.writable = true},
                   %emb: tensor<32x16xf32>, %wq: tensor<16x16xf32>,
                   %wk: tensor<8x16xf32>, %wv: tensor<8x16xf32>,
                   %wo: tensor<16x16xf32>, %wlm: tensor<32x16xf32>)
    -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t = tensor.dim %tokens, %c1 : tensor<1x?xi32>
  %x = tok.embedding %tokens, %emb : (tensor<1x?xi32>, tensor<32x16xf32>) -> tensor<1x?x16xf32>
  %q = tok.linear %x, %wq : (tensor<1x?x16xf32>, tensor<16x16xf32>) -> tensor<1x?x16xf32>
  %k = tok.linear %x, %wk : (tensor<1x?x16xf32>, tensor<8x16xf32>) -> tensor<1x?x8xf32>
  %v = tok.linear %x, %wv : (tensor<1x?x16xf32>, tensor<8x16xf32>) -> tensor<1x?x8xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [1, %t, 2, 8] : tensor<1x?x16xf32> into tensor<1x?x2x8xf32>
  %qe = tensor.empty(%t) : tensor<1x2x?x8xf32>
  %qh = linalg.transpose ins(%q4 : tensor<1x?x2x8xf32>) outs(%qe : tensor<1x2x?x8xf32>) permutation = [0, 2, 1, 3]
  %kh = tensor.expand_shape %k [[0], [1, 2], [3]] output_shape [1, 1, %t, 8] : tensor<1x?x8xf32> into tensor<1x1x?x8xf32>
  %vh = tensor.expand_shape %v [[0], [1, 2], [3]] output_shape [1, 1, %t, 8] : tensor<1x?x8xf32> into tensor<1x1x?x8xf32>
  %qr = tok.rope %qh, %positions : (tensor<1x2x?x8xf32>, tensor<1x?xi32>) -> tensor<1x2x?x8xf32>
  %kr = tok.rope %kh, %positions : (tensor<1x1x?x8xf32>, tensor<1x?xi32>) -> tensor<1x1x?x8xf32>
  %kc2 = tok.cache_write %kc, %kr, %slots : (tensor<16x4x1x8xf32>, tensor<1x1x?x8xf32>, tensor<1x?xi32>) -> tensor<16x4x1x8xf32>
  %vc2 = tok.cache_write %vc, %vh, %slots : (tensor<16x4x1x8xf32>, tensor<1x1x?x8xf32>, tensor<1x?xi32>) -> tensor<16x4x1x8xf32>
  // Attend over the rows just written, read back through the slots, so that
  // the (pure) cache writes are used.
  %re = tensor.empty(%t) : tensor<1x1x?x8xf32>
  %kb = linalg.generic {indexing_maps = [affine_map<(b, h, s, d) -> (b, s)>, affine_map<(b, h, s, d) -> (b, h, s, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%slots : tensor<1x?xi32>) outs(%re : tensor<1x1x?x8xf32>) {
  ^bb0(%slot: i32, %out: f32):
    %h = linalg.index 1 : index
    %d = linalg.index 3 : index
    %s = arith.index_cast %slot : i32 to index
    %blk = arith.divui %s, %c4 : index
    %row = arith.remui %s, %c4 : index
    %val = tensor.extract %kc2[%blk, %row, %h, %d] : tensor<16x4x1x8xf32>
    linalg.yield %val : f32
  } -> tensor<1x1x?x8xf32>
  %vb = linalg.generic {indexing_maps = [affine_map<(b, h, s, d) -> (b, s)>, affine_map<(b, h, s, d) -> (b, h, s, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%slots : tensor<1x?xi32>) outs(%re : tensor<1x1x?x8xf32>) {
  ^bb0(%slot: i32, %out: f32):
    %h = linalg.index 1 : index
    %d = linalg.index 3 : index
    %s = arith.index_cast %slot : i32 to index
    %blk = arith.divui %s, %c4 : index
    %row = arith.remui %s, %c4 : index
    %val = tensor.extract %vc2[%blk, %row, %h, %d] : tensor<16x4x1x8xf32>
    linalg.yield %val : f32
  } -> tensor<1x1x?x8xf32>
  %o = tok.attention %qr, %kb, %vb seq_starts(%seq_starts : tensor<?xi32>) {causal} : (tensor<1x2x?x8xf32>, tensor<1x1x?x8xf32>, tensor<1x1x?x8xf32>) -> tensor<1x2x?x8xf32>
  %oe = tensor.empty(%t) : tensor<1x?x2x8xf32>
  %ot = linalg.transpose ins(%o : tensor<1x2x?x8xf32>) outs(%oe : tensor<1x?x2x8xf32>) permutation = [0, 2, 1, 3]
  %o2 = tensor.collapse_shape %ot [[0], [1], [2, 3]] : tensor<1x?x2x8xf32> into tensor<1x?x16xf32>
  %p = tok.linear %o2, %wo : (tensor<1x?x16xf32>, tensor<16x16xf32>) -> tensor<1x?x16xf32>
  %he = tensor.empty(%t) : tensor<1x?x16xf32>
  %hid = linalg.add ins(%x, %p : tensor<1x?x16xf32>, tensor<1x?x16xf32>) outs(%he : tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  // Logits of each prompt's last token, row seq_starts[i + 1] - 1.
  %n1 = tensor.dim %seq_starts, %c0 : tensor<?xi32>
  %n = arith.subi %n1, %c1 : index
  %le = tensor.empty(%n) : tensor<?x16xf32>
  %last = linalg.generic {indexing_maps = [affine_map<(i, e) -> (i, e)>], iterator_types = ["parallel", "parallel"]} outs(%le : tensor<?x16xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %e = linalg.index 1 : index
    %i1 = arith.addi %i, %c1 : index
    %end = tensor.extract %seq_starts[%i1] : tensor<?xi32>
    %endi = arith.index_cast %end : i32 to index
    %r = arith.subi %endi, %c1 : index
    %val = tensor.extract %hid[%c0, %r, %e] : tensor<1x?x16xf32>
    linalg.yield %val : f32
  } -> tensor<?x16xf32>
  %logits = tok.linear %last, %wlm : (tensor<?x16xf32>, tensor<32x16xf32>) -> tensor<?x32xf32>
  return %logits : tensor<?x32xf32>
}

func.func @decode(%tokens: tensor<?x1xi32>, %positions: tensor<?x1xi32>,
                  %seq_starts: tensor<?xi32>, %slots: tensor<?x1xi32>,
                  %block_table: tensor<?x?xi32>, %lens: tensor<?xi32>,
                  %kc: tensor<16x4x1x8xf32> {bufferization.writable = true},
                  %vc: tensor<16x4x1x8xf32> {bufferization.writable = true},
                  %emb: tensor<32x16xf32>, %wq: tensor<16x16xf32>,
                  %wk: tensor<8x16xf32>, %wv: tensor<8x16xf32>,
                  %wo: tensor<16x16xf32>, %wlm: tensor<32x16xf32>)
    -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %b = tensor.dim %tokens, %c0 : tensor<?x1xi32>
  %x = tok.embedding %tokens, %emb : (tensor<?x1xi32>, tensor<32x16xf32>) -> tensor<?x1x16xf32>
  %q = tok.linear %x, %wq : (tensor<?x1x16xf32>, tensor<16x16xf32>) -> tensor<?x1x16xf32>
  %k = tok.linear %x, %wk : (tensor<?x1x16xf32>, tensor<8x16xf32>) -> tensor<?x1x8xf32>
  %v = tok.linear %x, %wv : (tensor<?x1x16xf32>, tensor<8x16xf32>) -> tensor<?x1x8xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [%b, 1, 2, 8] : tensor<?x1x16xf32> into tensor<?x1x2x8xf32>
  %qe = tensor.empty(%b) : tensor<?x2x1x8xf32>
  %qh = linalg.transpose ins(%q4 : tensor<?x1x2x8xf32>) outs(%qe : tensor<?x2x1x8xf32>) permutation = [0, 2, 1, 3]
  %kh = tensor.expand_shape %k [[0], [1, 2], [3]] output_shape [%b, 1, 1, 8] : tensor<?x1x8xf32> into tensor<?x1x1x8xf32>
  %vh = tensor.expand_shape %v [[0], [1, 2], [3]] output_shape [%b, 1, 1, 8] : tensor<?x1x8xf32> into tensor<?x1x1x8xf32>
  %qr = tok.rope %qh, %positions : (tensor<?x2x1x8xf32>, tensor<?x1xi32>) -> tensor<?x2x1x8xf32>
  %kr = tok.rope %kh, %positions : (tensor<?x1x1x8xf32>, tensor<?x1xi32>) -> tensor<?x1x1x8xf32>
  %kc2 = tok.cache_write %kc, %kr, %slots : (tensor<16x4x1x8xf32>, tensor<?x1x1x8xf32>, tensor<?x1xi32>) -> tensor<16x4x1x8xf32>
  %vc2 = tok.cache_write %vc, %vh, %slots : (tensor<16x4x1x8xf32>, tensor<?x1x1x8xf32>, tensor<?x1xi32>) -> tensor<16x4x1x8xf32>
  %o = tok.paged_attention %qr, %kc2, %vc2, %block_table, %lens : (tensor<?x2x1x8xf32>, tensor<16x4x1x8xf32>, tensor<16x4x1x8xf32>, tensor<?x?xi32>, tensor<?xi32>) -> tensor<?x2x1x8xf32>
  %oe = tensor.empty(%b) : tensor<?x1x2x8xf32>
  %ot = linalg.transpose ins(%o : tensor<?x2x1x8xf32>) outs(%oe : tensor<?x1x2x8xf32>) permutation = [0, 2, 1, 3]
  %o2 = tensor.collapse_shape %ot [[0], [1], [2, 3]] : tensor<?x1x2x8xf32> into tensor<?x1x16xf32>
  %p = tok.linear %o2, %wo : (tensor<?x1x16xf32>, tensor<16x16xf32>) -> tensor<?x1x16xf32>
  %he = tensor.empty(%b) : tensor<?x1x16xf32>
  %hid = linalg.add ins(%x, %p : tensor<?x1x16xf32>, tensor<?x1x16xf32>) outs(%he : tensor<?x1x16xf32>) -> tensor<?x1x16xf32>
  %l3 = tok.linear %hid, %wlm : (tensor<?x1x16xf32>, tensor<32x16xf32>) -> tensor<?x1x32xf32>
  %logits = tensor.collapse_shape %l3 [[0], [1, 2]] : tensor<?x1x32xf32> into tensor<?x32xf32>
  return %logits : tensor<?x32xf32>
}
)mlir";

/// Made-up weights in [-scale, scale) from a fixed linear congruential
/// sequence, so that every run prints the same tokens.
static rt::StatusOr<std::vector<rt::HostTensor>> makeWeights() {
  const std::vector<std::vector<int64_t>> shapes = {
      {32, 16}, {16, 16}, {8, 16}, {8, 16}, {16, 16}, {32, 16}};
  const float scales[] = {1.0f, 0.5f, 0.5f, 0.5f, 0.3f, 0.4f};
  uint64_t state = 12345;
  std::vector<rt::HostTensor> weights;
  for (size_t i = 0; i < shapes.size(); ++i) {
    rt::StatusOr<rt::HostTensor> w =
        rt::HostTensor::create(rt::DType::f32, shapes[i]);
    if (!w.ok())
      return w.status();
    for (int64_t j = 0; j < w->numel(); ++j) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      float unit = static_cast<float>(state >> 40) / float(1 << 24);
      w->data<float>()[j] = (2 * unit - 1) * scales[i];
    }
    weights.push_back(std::move(*w));
  }
  return weights;
}

static void print(const char *label, rt::SeqId id,
                  const std::vector<int32_t> &prompt,
                  const std::vector<int32_t> &tokens) {
  llvm::outs() << label << " sequence " << id << " (prompt of " << prompt.size()
               << " tokens):";
  for (int32_t t : tokens)
    llvm::outs() << " " << t;
  llvm::outs() << "\n";
}

static int fail(const std::string &message) {
  llvm::errs() << "tokamak-session-example: " << message << "\n";
  return 1;
}

int main() {
  // Compile in process; the compiler must outlive the executable.
  Compiler compiler;
  auto module = compiler.parseString(kModel, "model.mlir");
  if (!module)
    return fail(llvm::toString(module.takeError()));
  auto executable = compiler.jit(**module, CompileOptions());
  if (!executable)
    return fail(llvm::toString(executable.takeError()));
  auto weights = makeWeights();
  if (!weights.ok())
    return fail(weights.status().message());

  // A session: the weights, a K/V pool of 16 blocks of 4 rows, full cache.
  auto created = rt::Session::create(
      std::shared_ptr<rt::Executable>(std::move(*executable)),
      std::move(*weights));
  if (!created.ok())
    return fail(created.status().message());
  rt::Session &session = **created;
  llvm::outs() << "model: " << session.abi().numKVLayers()
               << " attention layer, " << session.abi().numBlocks()
               << " blocks of " << session.abi().blockSize()
               << " rows, vocabulary " << session.abi().vocab << "\n";

  const std::vector<int32_t> short_ = {3, 14, 15, 9, 2};
  const std::vector<int32_t> long_ = {27, 18, 28, 18, 28, 4, 5, 9, 0};

  // Greedy: prefill both prompts in one packed call, then decode together.
  for (rt::SeqId id : {1, 2})
    if (rt::Status s = session.addSequence(id); s.failed())
      return fail(s.message());
  rt::Sampler greedy{rt::SamplingParams()};
  auto out = session.generate({1, 2}, {short_, long_}, 6, greedy);
  if (!out.ok())
    return fail(out.status().message());
  print("greedy", 1, short_, (*out)[0]);
  print("greedy", 2, long_, (*out)[1]);

  // Seeded sampling, one step at a time: sample from each sequence's latest
  // logits, then feed the tokens back in one batched decode call.
  rt::SamplingParams params;
  params.temperature = 0.9f;
  params.topK = 10;
  params.topP = 0.9f;
  params.seed = 2024;
  rt::Sampler sampler(params);
  for (rt::SeqId id : {3, 4})
    if (rt::Status s = session.addSequence(id); s.failed())
      return fail(s.message());
  if (auto logits = session.prefill({3, 4}, {short_, long_}); !logits.ok())
    return fail(logits.status().message());
  std::vector<std::vector<int32_t>> sampled(2);
  for (int step = 0; step < 6; ++step) {
    auto next = session.sample({3, 4}, sampler);
    if (!next.ok())
      return fail(next.status().message());
    sampled[0].push_back((*next)[0]);
    sampled[1].push_back((*next)[1]);
    if (auto logits = session.decode({3, 4}, *next); !logits.ok())
      return fail(logits.status().message());
  }
  print("sampled (seed 2024)", 3, short_, sampled[0]);
  print("sampled (seed 2024)", 4, long_, sampled[1]);

  for (rt::SeqId id : session.sequenceIds())
    llvm::outs() << "sequence " << id << ": " << *session.numTokens(id)
                 << " tokens in " << session.blockTable(id)->size()
                 << " blocks\n";
  for (rt::SeqId id : session.sequenceIds())
    (void)session.freeSequence(id);
  llvm::outs() << "free blocks after freeing every sequence: "
               << session.numFreeBlocks() << "\n";
  return 0;
}
