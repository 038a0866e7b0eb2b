//===- TokOpsTest.cpp - Building tok ops through the C++ API --------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "dialects/Tok/IR/TokDialect.h"
#include "dialects/Tok/IR/TokOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include "gtest/gtest.h"

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

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

TEST_F(TokOpsTest, BuildsCausalGqaAttention) {
  Type f32 = builder.getF32Type();
  auto q = RankedTensorType::get({1, 8, 16, 64}, f32);
  auto kv = RankedTensorType::get({1, 2, 16, 64}, f32);
  func::FuncOp fn = makeFunction({q, kv, kv});
  Location loc = builder.getUnknownLoc();
  auto op = tok::AttentionOp::create(
      builder, loc, /*output=*/q, /*lse=*/Type(), fn.getArgument(0),
      fn.getArgument(1), fn.getArgument(2), /*bias=*/Value(),
      /*seq_starts=*/Value(), /*causal=*/true, /*window=*/IntegerAttr(),
      /*sinks=*/IntegerAttr(), /*scale=*/FloatAttr(), /*softcap=*/FloatAttr());
  func::ReturnOp::create(builder, loc);
  EXPECT_TRUE(succeeded(verify(*module)));
  EXPECT_TRUE(op.getCausal());
  EXPECT_FALSE(op.getLse());
}

} // namespace
