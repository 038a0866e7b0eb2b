//===- TokOpsTest.cpp - Building tok ops through the C++ API --------------===//
//
// Part of the Tokamak project. Builds tok ops with the generated and
// convenience builders, checks that well-formed ones verify and that
// ill-formed ones fail with the documented diagnostic.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokOps.h"
#include "dialects/Tok/IR/TokDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include "gtest/gtest.h"

#include <string>
#include <vector>

using namespace mlir;

namespace {

class TokOpsTest : public ::testing::Test {
protected:
  TokOpsTest() : builder(&context) {
    context.loadDialect<tok::TokDialect, func::FuncDialect>();
  }

  /// Creates `func.func @f(args...)` and leaves the builder in its body.
  func::FuncOp makeFunction(TypeRange args) {
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
    auto fn = func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                   builder.getFunctionType(args, {}));
    builder.setInsertionPointToStart(fn.addEntryBlock());
    return fn;
  }

  /// Terminates the function and verifies the module. Returns the first
  /// error message, or an empty string when the module verifies.
  std::string finishAndVerify() {
    func::ReturnOp::create(builder, builder.getUnknownLoc());
    std::vector<std::string> errors;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error)
        errors.push_back(diag.str());
      return success();
    });
    bool ok = succeeded(verify(*module));
    EXPECT_EQ(ok, errors.empty());
    return errors.empty() ? std::string() : errors.front();
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape, Type elementType) {
    return RankedTensorType::get(shape, elementType);
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
  Location loc = UnknownLoc::get(&context);
};

//===----------------------------------------------------------------------===//
// Valid ops
//===----------------------------------------------------------------------===//

TEST_F(TokOpsTest, BuildsCausalGqaAttention) {
  Type f32 = builder.getF32Type();
  auto q = tensor({1, 8, 16, 64}, f32);
  auto kv = tensor({1, 2, 16, 64}, f32);
  func::FuncOp fn = makeFunction({q, kv, kv});
  auto op = tok::AttentionOp::create(
      builder, loc, /*output=*/q, /*lse=*/Type(), /*stats=*/Type(),
      fn.getArgument(0), fn.getArgument(1), fn.getArgument(2),
      /*bias=*/Value(), /*seq_starts=*/Value(), /*block_indices=*/Value(),
      /*block_counts=*/Value(), /*causal=*/true, /*window=*/IntegerAttr(),
      /*sinks=*/IntegerAttr(), /*scale=*/FloatAttr(), /*softcap=*/FloatAttr(),
      /*stats_window=*/IntegerAttr(), /*stats_per_query_head=*/false,
      /*block_q=*/IntegerAttr(), /*block_k=*/IntegerAttr());
  EXPECT_EQ(finishAndVerify(), "");
  EXPECT_TRUE(op.getCausal());
  EXPECT_FALSE(op.getLse());
}

TEST_F(TokOpsTest, BuildsAttentionWithStatsAndNoLse) {
  Type f32 = builder.getF32Type();
  auto q = tensor({1, 8, 16, 64}, f32);
  auto kv = tensor({1, 2, 32, 64}, f32);
  func::FuncOp fn = makeFunction({q, kv, kv});
  auto op = tok::AttentionOp::create(
      builder, loc, /*output=*/q, /*lse=*/Type(),
      /*stats=*/tensor({1, 2, 32}, f32), fn.getArgument(0), fn.getArgument(1),
      fn.getArgument(2), /*bias=*/Value(), /*seq_starts=*/Value(),
      /*block_indices=*/Value(), /*block_counts=*/Value(),
      /*causal=*/true, /*window=*/IntegerAttr(), /*sinks=*/IntegerAttr(),
      /*scale=*/FloatAttr(), /*softcap=*/FloatAttr(),
      /*stats_window=*/builder.getI64IntegerAttr(4),
      /*stats_per_query_head=*/false, /*block_q=*/IntegerAttr(),
      /*block_k=*/IntegerAttr());
  EXPECT_EQ(finishAndVerify(), "");
  EXPECT_FALSE(op.getLse());
  ASSERT_TRUE(op.getStats());
  EXPECT_EQ(op.getStats(), op->getResult(1));
  EXPECT_EQ(op.getStatsWindow(), 4u);
  std::string text;
  llvm::raw_string_ostream os(text);
  op->print(os);
  EXPECT_NE(text.find("-> (tensor<1x8x16x64xf32>, stats tensor<1x2x32xf32>)"),
            std::string::npos)
      << text;
}

TEST_F(TokOpsTest, RejectsStatsPerKvHeadWithQueryHeadCount) {
  Type f32 = builder.getF32Type();
  auto q = tensor({1, 8, 16, 64}, f32);
  auto kv = tensor({1, 2, 32, 64}, f32);
  func::FuncOp fn = makeFunction({q, kv, kv});
  tok::AttentionOp::create(
      builder, loc, q, Type(), tensor({1, 8, 32}, f32), fn.getArgument(0),
      fn.getArgument(1), fn.getArgument(2), Value(), Value(), Value(), Value(),
      false, IntegerAttr(), IntegerAttr(), FloatAttr(), FloatAttr(),
      IntegerAttr(), false, IntegerAttr(), IntegerAttr());
  EXPECT_EQ(finishAndVerify(), "'tok.attention' op expected stats shape "
                               "[1, 2, 32], got [1, 8, 32]");
}

TEST_F(TokOpsTest, ConvenienceBuilderMakesPlainAttention) {
  Type f16 = builder.getF16Type();
  auto q = tensor({2, 4, ShapedType::kDynamic, 32}, f16);
  func::FuncOp fn = makeFunction({q, q, q});
  auto plain = tok::AttentionOp::create(builder, loc, q, fn.getArgument(0),
                                        fn.getArgument(1), fn.getArgument(2));
  auto causal =
      tok::AttentionOp::create(builder, loc, q, fn.getArgument(0),
                               fn.getArgument(1), fn.getArgument(2), true);
  EXPECT_EQ(finishAndVerify(), "");
  EXPECT_FALSE(plain.getCausal());
  EXPECT_TRUE(causal.getCausal());
  EXPECT_FALSE(plain.getBias());
  EXPECT_FALSE(plain.getSeqStarts());
  EXPECT_FALSE(plain.getWindow());
  EXPECT_TRUE(plain.getScoreMod().empty());
}

TEST_F(TokOpsTest, BuildsAttentionWithEveryOption) {
  Type f32 = builder.getF32Type();
  Type i32 = builder.getI32Type();
  auto q = tensor({1, 8, 128, 64}, f32);
  auto kv = tensor({1, 2, 128, 64}, f32);
  auto bias = tensor({128, 128}, f32);
  auto starts = tensor({3}, i32);
  auto lse = tensor({1, 8, 128}, f32);
  func::FuncOp fn = makeFunction({q, kv, kv, bias, starts});
  auto op = tok::AttentionOp::create(
      builder, loc, q, lse, /*stats=*/Type(), fn.getArgument(0),
      fn.getArgument(1), fn.getArgument(2), fn.getArgument(3),
      fn.getArgument(4), /*block_indices=*/Value(), /*block_counts=*/Value(),
      /*causal=*/true, builder.getI64IntegerAttr(64),
      builder.getI64IntegerAttr(4), builder.getF32FloatAttr(0.125f),
      builder.getF32FloatAttr(50.0f), /*stats_window=*/IntegerAttr(),
      /*stats_per_query_head=*/false, /*block_q=*/IntegerAttr(),
      /*block_k=*/IntegerAttr());

  // score_mod: (s, b, h, i, j) -> s.
  Type index = builder.getIndexType();
  OpBuilder::InsertionGuard guard(builder);
  Block *body = builder.createBlock(&op.getScoreMod(), {},
                                    {f32, index, index, index, index},
                                    SmallVector<Location>(5, loc));
  tok::YieldOp::create(builder, loc, ValueRange{body->getArgument(0)});
  builder.setInsertionPointAfter(op);

  EXPECT_EQ(finishAndVerify(), "");
  EXPECT_EQ(op.getWindow(), 64u);
  EXPECT_EQ(op.getSinks(), 4u);
  EXPECT_TRUE(op.getLse());
  EXPECT_FALSE(op.getScoreMod().empty());
}

TEST_F(TokOpsTest, BuildsPagedAttentionAndCacheWrite) {
  Type f16 = builder.getF16Type();
  Type i32 = builder.getI32Type();
  auto q = tensor({4, 32, 1, 128}, f16);
  auto cache = tensor({1024, 16, 8, 128}, f16);
  auto update = tensor({4, 8, 1, 128}, f16);
  auto slots = tensor({4, 1}, i32);
  auto table = tensor({4, 64}, i32);
  auto lens = tensor({4}, i32);
  func::FuncOp fn = makeFunction({q, cache, cache, update, slots, table, lens});
  auto written =
      tok::CacheWriteOp::create(builder, loc, cache, fn.getArgument(1),
                                fn.getArgument(3), fn.getArgument(4));
  tok::PagedAttentionOp::create(
      builder, loc, q, fn.getArgument(0), written, fn.getArgument(2),
      fn.getArgument(5), fn.getArgument(6), builder.getI64IntegerAttr(4096),
      builder.getI64IntegerAttr(4), FloatAttr(), FloatAttr());
  EXPECT_EQ(finishAndVerify(), "");
}

TEST_F(TokOpsTest, BuildsPagedAttentionWithBlockLists) {
  Type f32 = builder.getF32Type();
  Type i32 = builder.getI32Type();
  auto q = tensor({2, 8, 1, 64}, f32);
  auto cache = tensor({64, 16, 2, 64}, f32);
  auto table = tensor({2, 32}, i32);
  auto lens = tensor({2}, i32);
  auto indices = tensor({2, 2, 8}, i32);
  auto counts = tensor({2, 2}, i32);
  func::FuncOp fn =
      makeFunction({q, cache, cache, table, lens, indices, counts});
  auto op = tok::PagedAttentionOp::create(
      builder, loc, q, fn.getArgument(0), fn.getArgument(1), fn.getArgument(2),
      fn.getArgument(3), fn.getArgument(4), fn.getArgument(5),
      fn.getArgument(6), /*window=*/IntegerAttr(), /*sinks=*/IntegerAttr(),
      FloatAttr(), FloatAttr(), builder.getI64IntegerAttr(64));
  EXPECT_EQ(op.getBlockIndices(), fn.getArgument(5));
  EXPECT_EQ(op.getBlockCounts(), fn.getArgument(6));
  EXPECT_EQ(finishAndVerify(), "");
}

TEST_F(TokOpsTest, BuildsScans) {
  Type f32 = builder.getF32Type();
  int64_t dyn = ShapedType::kDynamic;
  auto x = tensor({2, dyn, 64}, f32);
  auto a = tensor({64, 8}, f32);
  auto bc = tensor({2, dyn, 1, 8}, f32);
  auto state = tensor({2, 64, 8}, f32);
  auto qk = tensor({1, 4, dyn, 32}, f32);
  auto decay = tensor({1, 4, dyn}, f32);
  auto linState = tensor({1, 4, 32, 32}, f32);
  func::FuncOp fn = makeFunction({x, a, bc, state, qk, decay});

  auto selective = tok::SelectiveScanOp::create(
      builder, loc, x, state, fn.getArgument(0), fn.getArgument(0),
      fn.getArgument(1), fn.getArgument(2), fn.getArgument(2), Value(), Value(),
      Value(), fn.getArgument(3), /*seq_starts=*/Value(), /*dt_softplus=*/true);
  auto linear = tok::LinearScanOp::create(
      builder, loc, qk, linState, fn.getArgument(4), fn.getArgument(4),
      fn.getArgument(4), fn.getArgument(5), fn.getArgument(5), Value(),
      /*seq_starts=*/Value(), builder.getStringAttr("delta"), FloatAttr(),
      /*reverse=*/false);

  // A running "last value" scan: combine(earlier, later) = later.
  auto assoc = tok::AssocScanOp::create(builder, loc, TypeRange{x},
                                        ValueRange{fn.getArgument(0)},
                                        /*dim=*/1, /*reverse=*/true);
  {
    OpBuilder::InsertionGuard guard(builder);
    Block *body =
        builder.createBlock(&assoc.getCombine(), {}, {f32, f32}, {loc, loc});
    tok::YieldOp::create(builder, loc, ValueRange{body->getArgument(1)});
  }

  EXPECT_EQ(finishAndVerify(), "");
  EXPECT_TRUE(selective.getDtSoftplus());
  EXPECT_TRUE(linear.isDelta());
  EXPECT_TRUE(assoc.getReverse());
}

TEST_F(TokOpsTest, BuildsMixersAndBuildingBlocks) {
  Type f32 = builder.getF32Type();
  Type i32 = builder.getI32Type();
  int64_t dyn = ShapedType::kDynamic;
  auto x = tensor({2, dyn, 64}, f32);
  auto w = tensor({64, 4}, f32);
  auto vec = tensor({64}, f32);
  auto proj = tensor({128, 64}, f32);
  auto heads = tensor({1, 8, dyn, 64}, f32);
  auto pos = tensor({1, dyn}, i32);
  auto image = tensor({1, 14, 14, 64}, f32);
  auto ids = tensor({2, dyn}, i32);
  auto table = tensor({1000, 64}, f32);
  func::FuncOp fn =
      makeFunction({x, w, vec, proj, heads, pos, image, ids, table});

  tok::Conv1dOp::create(builder, loc, x, tensor({2, 64, 3}, f32),
                        fn.getArgument(0), fn.getArgument(1), fn.getArgument(2),
                        Value(), /*seq_starts=*/Value(),
                        builder.getStringAttr("silu"));
  tok::Pool2dOp::create(builder, loc, image, fn.getArgument(6), /*kernel=*/3,
                        /*subtract_input=*/true);
  auto linear =
      tok::LinearOp::create(builder, loc, tensor({2, dyn, 128}, f32),
                            fn.getArgument(0), fn.getArgument(3), Value());
  tok::RmsNormOp::create(builder, loc, x, fn.getArgument(0), fn.getArgument(2),
                         builder.getF32FloatAttr(1e-6f));
  tok::LayerNormOp::create(builder, loc, x, fn.getArgument(0),
                           fn.getArgument(2), fn.getArgument(2), FloatAttr());
  tok::RopeOp::create(builder, loc, heads, fn.getArgument(4), fn.getArgument(5),
                      builder.getF32FloatAttr(10000.0f),
                      builder.getI64IntegerAttr(32), /*interleaved=*/false,
                      /*inv_freq=*/DenseF32ArrayAttr());
  tok::GluOp::create(builder, loc, tensor({2, dyn, 64}, f32), linear,
                     builder.getStringAttr("gelu_tanh"));
  tok::ActivationOp::create(builder, loc, x, fn.getArgument(0), "softplus");
  tok::EmbeddingOp::create(builder, loc, tensor({2, dyn, 64}, f32),
                           fn.getArgument(7), fn.getArgument(8));
  EXPECT_EQ(finishAndVerify(), "");
}

//===----------------------------------------------------------------------===//
// Invalid ops
//===----------------------------------------------------------------------===//

TEST_F(TokOpsTest, RejectsMismatchedHeadDims) {
  Type f32 = builder.getF32Type();
  auto q = tensor({1, 8, 16, 64}, f32);
  auto k = tensor({1, 2, 16, 32}, f32);
  auto v = tensor({1, 2, 16, 64}, f32);
  func::FuncOp fn = makeFunction({q, k, v});
  tok::AttentionOp::create(builder, loc, q, fn.getArgument(0),
                           fn.getArgument(1), fn.getArgument(2));
  EXPECT_EQ(finishAndVerify(), "'tok.attention' op expected query and key "
                               "head dims to match, got 64 and 32");
}

TEST_F(TokOpsTest, RejectsWindowWithoutCausal) {
  Type f32 = builder.getF32Type();
  auto q = tensor({1, 8, 16, 64}, f32);
  func::FuncOp fn = makeFunction({q});
  Value arg = fn.getArgument(0);
  tok::AttentionOp::create(builder, loc, q, Type(), Type(), arg, arg, arg,
                           Value(), Value(), Value(), Value(), /*causal=*/false,
                           builder.getI64IntegerAttr(128), IntegerAttr(),
                           FloatAttr(), FloatAttr(), IntegerAttr(), false,
                           IntegerAttr(), IntegerAttr());
  EXPECT_EQ(finishAndVerify(),
            "'tok.attention' op expected causal when window is set");
}

TEST_F(TokOpsTest, RejectsBetaWithAdditiveUpdate) {
  Type f32 = builder.getF32Type();
  auto qkv = tensor({1, 4, 16, 32}, f32);
  auto beta = tensor({1, 4, 16}, f32);
  func::FuncOp fn = makeFunction({qkv, beta});
  Value arg = fn.getArgument(0);
  tok::LinearScanOp::create(builder, loc, qkv, Type(), arg, arg, arg, Value(),
                            fn.getArgument(1), Value(), /*seq_starts=*/Value(),
                            StringAttr(), FloatAttr(), /*reverse=*/false);
  EXPECT_EQ(finishAndVerify(),
            "'tok.linear_scan' op expected beta only with update = \"delta\"");
}

TEST_F(TokOpsTest, RejectsCombineYieldingTheWrongType) {
  Type f32 = builder.getF32Type();
  Type i32 = builder.getI32Type();
  auto floats = tensor({4, 8}, f32);
  auto ints = tensor({4, 8}, i32);
  func::FuncOp fn = makeFunction({floats, ints});
  auto scan = tok::AssocScanOp::create(
      builder, loc, TypeRange{floats, ints},
      ValueRange{fn.getArgument(0), fn.getArgument(1)}, /*dim=*/0);
  {
    OpBuilder::InsertionGuard guard(builder);
    Block *body =
        builder.createBlock(&scan.getCombine(), {}, {f32, i32, f32, i32},
                            SmallVector<Location>(4, loc));
    tok::YieldOp::create(
        builder, loc, ValueRange{body->getArgument(0), body->getArgument(0)});
  }
  EXPECT_EQ(finishAndVerify(), "'tok.assoc_scan' op expected combine yielded "
                               "value 1 type 'i32', got 'f32'");
}

TEST_F(TokOpsTest, RejectsOddRotaryDim) {
  Type f32 = builder.getF32Type();
  auto x = tensor({1, 8, 16, 128}, f32);
  auto pos = tensor({1, 16}, builder.getI32Type());
  func::FuncOp fn = makeFunction({x, pos});
  tok::RopeOp::create(builder, loc, x, fn.getArgument(0), fn.getArgument(1),
                      FloatAttr(), builder.getI64IntegerAttr(63),
                      /*interleaved=*/false, /*inv_freq=*/DenseF32ArrayAttr());
  EXPECT_EQ(finishAndVerify(), "'tok.rope' op expected rotary_dim to be even "
                               "and at least 2, got 63");
}

TEST_F(TokOpsTest, RejectsMisshapenSelectiveScanResult) {
  Type f32 = builder.getF32Type();
  auto x = tensor({2, 16, 64}, f32);
  auto a = tensor({64, 8}, f32);
  auto bc = tensor({2, 16, 1, 8}, f32);
  func::FuncOp fn = makeFunction({x, a, bc});
  Value xArg = fn.getArgument(0);
  Value bcArg = fn.getArgument(2);
  tok::SelectiveScanOp::create(builder, loc, tensor({2, 16, 32}, f32), Type(),
                               xArg, xArg, fn.getArgument(1), bcArg, bcArg,
                               Value(), Value(), Value(), Value(),
                               /*seq_starts=*/Value(), /*dt_softplus=*/false);
  EXPECT_EQ(finishAndVerify(), "'tok.selective_scan' op expected y shape "
                               "[2, 16, 64], got [2, 16, 32]");
}

} // namespace
