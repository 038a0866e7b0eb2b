//===- GenerateEntryPoints.cpp - Packed entry points of public functions --===//
//
// Part of the Tokamak project. See docs/Artifacts.md for the convention.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Transforms/Passes.h"
#include "tokamak/Transforms/RuntimeChecks.h"
#include "tokamak/Transforms/RuntimeErrors.h"

#include "dialects/Tok/IR/Verification.h"

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

/// The i64 size {argument, dim} (or the constant {-1, size}) of a check.
static Value getCheckedSize(OpBuilder &b, Location loc,
                            ArrayRef<Value> descriptors,
                            const std::array<int64_t, 2> &ref) {
  if (ref[0] < 0)
    return arith::ConstantIntOp::create(b, loc, ref[1], 64);
  return LLVM::ExtractValueOp::create(b, loc, descriptors[ref[0]],
                                      ArrayRef<int64_t>{3, ref[1]});
}

/// Emits `check` on the argument sizes: records its message and returns
/// false (i1) when it fails.
static Value emitShapeCheck(OpBuilder &b, Location loc,
                            ArrayRef<Value> descriptors,
                            const tokamak::TracedShapeCheck &check) {
  using P = arith::CmpIPredicate;
  Value lhs = getCheckedSize(b, loc, descriptors, check.lhs);
  Value rhs = getCheckedSize(b, loc, descriptors, check.rhs);
  auto c = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, loc, v, 64).getResult();
  };
  auto cmp = [&](P p, Value l, Value r) {
    return arith::CmpIOp::create(b, loc, p, l, r).getResult();
  };
  Value ok;
  switch (static_cast<tok::RuntimeShapeCheck::Kind>(check.kind)) {
  case tok::RuntimeShapeCheck::Kind::Equal:
    ok = cmp(P::eq, lhs, rhs);
    break;
  case tok::RuntimeShapeCheck::Kind::Multiple: {
    Value positive = cmp(P::sgt, rhs, c(0));
    Value divisor = arith::SelectOp::create(b, loc, positive, rhs, c(1));
    Value rem = arith::RemSIOp::create(b, loc, lhs, divisor);
    ok = arith::AndIOp::create(b, loc, positive, cmp(P::eq, rem, c(0)));
    break;
  }
  case tok::RuntimeShapeCheck::Kind::AtLeast:
    ok = cmp(P::sge, lhs, rhs);
    break;
  case tok::RuntimeShapeCheck::Kind::OneOrEqual:
    ok = arith::OrIOp::create(b, loc, cmp(P::eq, lhs, c(1)),
                              cmp(P::eq, lhs, rhs));
    break;
  case tok::RuntimeShapeCheck::Kind::Even:
    ok = cmp(P::eq, arith::RemSIOp::create(b, loc, lhs, c(2)), c(0));
    break;
  case tok::RuntimeShapeCheck::Kind::SequenceCount:
    ok = cmp(P::eq, arith::AddIOp::create(b, loc, lhs, c(1)), rhs);
    break;
  }
  if (!ok)
    return arith::ConstantIntOp::create(b, loc, 1, 1);
  SmallVector<Value> values;
  for (const auto &ref : check.values)
    values.push_back(getCheckedSize(b, loc, descriptors, ref));
  Value failed = arith::XOrIOp::create(
      b, loc, ok, arith::ConstantIntOp::create(b, loc, 1, 1));
  auto ifOp = scf::IfOp::create(b, loc, failed, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  tokamak::emitRecordError(
      b, loc, b.getBlock()->getParentOp()->getParentOfType<ModuleOp>(),
      check.format, values);
  return ok;
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

  FailureOr<SmallVector<tokamak::TracedShapeCheck>> checks =
      tokamak::getRuntimeShapeChecks(fn);
  if (failed(checks))
    return failure();
  for (const tokamak::TracedShapeCheck &check : *checks) {
    SmallVector<std::array<int64_t, 2>> refs = {check.lhs, check.rhs};
    refs.append(check.values.begin(), check.values.end());
    for (const std::array<int64_t, 2> &ref : refs) {
      if (ref[0] >= 0 &&
          (ref[1] < 0 ||
           ref[1] >= cast<MemRefType>(type.getInput(ref[0])).getRank()))
        return fn.emitOpError("malformed ")
               << tokamak::kRuntimeChecksAttr << " attribute";
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

  tokamak::emitClearError(b, loc);
  SmallVector<Value> operands, descriptors;
  for (auto [i, t] : llvm::enumerate(type.getInputs())) {
    auto memref = cast<MemRefType>(t);
    Value descPtr = loadArgPointer(b, loc, args, i);
    Value desc =
        LLVM::LoadOp::create(b, loc, getDescriptorType(memref), descPtr);
    descriptors.push_back(desc);
    operands.push_back(
        UnrealizedConversionCastOp::create(b, loc, memref, desc).getResult(0));
  }

  // The sizes the function's tok ops need to agree; the function runs only
  // when all hold.
  Value allOk;
  for (const tokamak::TracedShapeCheck &check : *checks) {
    Value ok = emitShapeCheck(b, loc, descriptors, check);
    allOk = allOk ? arith::AndIOp::create(b, loc, allOk, ok).getResult() : ok;
  }
  std::optional<OpBuilder::InsertPoint> afterCall;
  if (allOk) {
    auto ifOp = scf::IfOp::create(b, loc, allOk, /*withElseRegion=*/false);
    afterCall = b.saveInsertionPoint();
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
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
  if (afterCall)
    b.restoreInsertionPoint(*afterCall);

  // An error recorded by the checks or the kernels goes to the error slot,
  // args[numInputs + numResults], which is written only then.
  Value message = tokamak::emitRecordedError(b, loc);
  Value null = LLVM::ZeroOp::create(b, loc, ptr);
  Value failed =
      LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, message, null);
  auto report = scf::IfOp::create(b, loc, failed, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&report.getThenRegion().front());
    Value slot = loadArgPointer(b, loc, args, numInputs + type.getNumResults());
    LLVM::StoreOp::create(b, loc, message, slot);
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
      // Functions that already have their entry (a second run) are done.
      if (fn.isPublic() && !fn.isExternal() &&
          !fn.getSymName().starts_with("_tok_entry_") &&
          !SymbolTable::lookupSymbolIn(
              getOperation(), tokamak::getEntryPointName(fn.getSymName())))
        publicFunctions.push_back(fn);
    for (func::FuncOp fn : publicFunctions)
      if (failed(generateEntryPoint(fn)))
        return signalPassFailure();
  }
};
} // namespace
