//===- GenerateEntryPoints.cpp - Packed entry points of public functions --===//
//
// Part of the Tokamak project. See docs/Artifacts.md for the convention.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/IR/Builders.h"

namespace tokamak {
#define GEN_PASS_DEF_GENERATEENTRYPOINTS
#include "tokamak/Transforms/Passes.h.inc"
} // namespace tokamak

using namespace mlir;

std::string tokamak::getEntryPointName(StringRef name) {
  return ("_tok_entry_" + name).str();
}

/// The LLVM struct that a ranked memref converts to:
/// {allocated, aligned, offset, sizes[R], strides[R]}.
static Type getDescriptorType(MemRefType type) {
  MLIRContext *ctx = type.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  SmallVector<Type> fields = {ptr, ptr, i64};
  if (int64_t rank = type.getRank()) {
    auto array = LLVM::LLVMArrayType::get(i64, rank);
    fields.append({array, array});
  }
  return LLVM::LLVMStructType::getLiteral(ctx, fields);
}

/// Loads `args[index]` (a pointer) in the entry point.
static Value loadArgPointer(OpBuilder &b, Location loc, Value args,
                            int64_t index) {
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, args,
                                   ArrayRef<LLVM::GEPArg>{index});
  return LLVM::LoadOp::create(b, loc, ptr, slot);
}

static LogicalResult generateEntryPoint(func::FuncOp fn) {
  FunctionType type = fn.getFunctionType();
  for (auto [kind, types] : {std::pair{"argument", type.getInputs()},
                             std::pair{"result", type.getResults()}}) {
    for (auto [i, t] : llvm::enumerate(types)) {
      auto memref = dyn_cast<MemRefType>(t);
      if (!memref || !memref.getLayout().isIdentity())
        return fn.emitOpError("cannot export ")
               << kind << " " << i << " of type " << t
               << ": public functions take and return ranked tensors";
    }
  }

  OpBuilder b(fn);
  b.setInsertionPointAfter(fn);
  Location loc = fn.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto entry =
      func::FuncOp::create(b, loc, tokamak::getEntryPointName(fn.getSymName()),
                           b.getFunctionType({ptr}, {}));
  Block *body = entry.addEntryBlock();
  b.setInsertionPointToStart(body);
  Value args = body->getArgument(0);

  SmallVector<Value> operands;
  for (auto [i, t] : llvm::enumerate(type.getInputs())) {
    auto memref = cast<MemRefType>(t);
    Value descPtr = loadArgPointer(b, loc, args, i);
    Value desc =
        LLVM::LoadOp::create(b, loc, getDescriptorType(memref), descPtr);
    operands.push_back(
        UnrealizedConversionCastOp::create(b, loc, memref, desc).getResult(0));
  }
  auto call = func::CallOp::create(b, loc, fn, operands);
  int64_t numInputs = type.getNumInputs();
  for (auto [j, result] : llvm::enumerate(call.getResults())) {
    auto memref = cast<MemRefType>(result.getType());
    Value desc = UnrealizedConversionCastOp::create(
                     b, loc, getDescriptorType(memref), result)
                     .getResult(0);
    Value outPtr = loadArgPointer(b, loc, args, numInputs + j);
    LLVM::StoreOp::create(b, loc, desc, outPtr);
  }
  func::ReturnOp::create(b, loc);
  // The entry is the function's only way in: with internal linkage LLVM
  // inlines the function into it instead of passing every descriptor field
  // as a scalar argument (a model's thousands of weight fields made that one
  // call dominate instruction selection).
  fn->setAttr("llvm.linkage",
              LLVM::LinkageAttr::get(b.getContext(), LLVM::Linkage::Internal));
  return success();
}

namespace {
struct GenerateEntryPointsPass
    : tokamak::impl::GenerateEntryPointsBase<GenerateEntryPointsPass> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> publicFunctions;
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal() &&
          !fn.getSymName().starts_with("_tok_entry_"))
        publicFunctions.push_back(fn);
    for (func::FuncOp fn : publicFunctions)
      if (failed(generateEntryPoint(fn)))
        return signalPassFailure();
  }
};
} // namespace
