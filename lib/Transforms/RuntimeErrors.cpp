//===- RuntimeErrors.cpp - Errors that compiled code reports --------------===//
//
// Part of the Tokamak project.
//
// A module that checks anything at run time holds (created on first use):
//
//   llvm.mlir.global internal @_tok_error_claimed(0 : i32) : i32
//   llvm.mlir.global internal @_tok_error_buffer : !llvm.array<1024 x i8>
//   llvm.func internal @_tok_record_error(%format: !llvm.ptr, i64 x 10)
//
// _tok_record_error claims the buffer with a compare-and-swap (the first
// error of a call wins, also when kernels run on several threads) and
// formats the message into it with snprintf. The packed entry clears the
// claim before it runs the function and passes the buffer to the caller
// afterwards if it was claimed.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Transforms/RuntimeErrors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

static constexpr StringLiteral kClaimed = "_tok_error_claimed";
static constexpr StringLiteral kBuffer = "_tok_error_buffer";
static constexpr StringLiteral kRecord = "_tok_record_error";
static constexpr StringLiteral kSnprintf = "snprintf";

static ModuleOp getModule(OpBuilder &b) {
  Operation *op = b.getInsertionBlock()->getParentOp();
  if (auto module = dyn_cast<ModuleOp>(op))
    return module;
  return op->getParentOfType<ModuleOp>();
}

/// The global `name`, created at the start of the module if missing.
static LLVM::GlobalOp getOrCreateGlobal(ModuleOp module, StringRef name,
                                        Type type, Attribute value) {
  if (auto global = module.lookupSymbol<LLVM::GlobalOp>(name))
    return global;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto global =
      LLVM::GlobalOp::create(b, module.getLoc(), type, /*isConstant=*/false,
                             LLVM::Linkage::Internal, name, value);
  if (!value) {
    // Zero-initialized (the buffer).
    Block *init = b.createBlock(&global.getInitializerRegion());
    b.setInsertionPointToStart(init);
    Value zero = LLVM::ZeroOp::create(b, module.getLoc(), type);
    LLVM::ReturnOp::create(b, module.getLoc(), zero);
  }
  return global;
}

static Value addressOf(OpBuilder &b, Location loc, LLVM::GlobalOp global) {
  return LLVM::AddressOfOp::create(b, loc, global);
}

static LLVM::GlobalOp getClaimed(ModuleOp module) {
  OpBuilder b(module.getContext());
  return getOrCreateGlobal(module, kClaimed, b.getI32Type(),
                           b.getI32IntegerAttr(0));
}

static LLVM::GlobalOp getBuffer(ModuleOp module) {
  OpBuilder b(module.getContext());
  return getOrCreateGlobal(
      module, kBuffer,
      LLVM::LLVMArrayType::get(b.getI8Type(), tokamak::kErrorBufferSize),
      Attribute());
}

/// `_tok_record_error`, defined on first use.
static LLVM::LLVMFuncOp getOrCreateRecorder(ModuleOp module) {
  if (auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(kRecord))
    return fn;
  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  Type i32 = b.getI32Type(), i64 = b.getI64Type();

  auto snprintfType =
      LLVM::LLVMFunctionType::get(i32, {ptr, i64, ptr}, /*isVarArg=*/true);
  auto snprintfFn = module.lookupSymbol<LLVM::LLVMFuncOp>(kSnprintf);
  if (!snprintfFn)
    snprintfFn = LLVM::LLVMFuncOp::create(b, loc, kSnprintf, snprintfType);

  SmallVector<Type> params = {ptr};
  params.append(tokamak::kMaxErrorValues, i64);
  auto fn = LLVM::LLVMFuncOp::create(
      b, loc, kRecord,
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), params));
  fn.setLinkage(LLVM::Linkage::Internal);
  Block *entry = fn.addEntryBlock(b);
  Block *write = fn.addBlock();
  Block *done = fn.addBlock();

  b.setInsertionPointToStart(entry);
  Value claimed = addressOf(b, loc, getClaimed(module));
  Value zero = LLVM::ConstantOp::create(b, loc, i32, 0);
  Value one = LLVM::ConstantOp::create(b, loc, i32, 1);
  auto cmpxchg = LLVM::AtomicCmpXchgOp::create(b, loc, claimed, zero, one,
                                               LLVM::AtomicOrdering::acq_rel,
                                               LLVM::AtomicOrdering::monotonic);
  Value won = LLVM::ExtractValueOp::create(b, loc, cmpxchg, 1);
  LLVM::CondBrOp::create(b, loc, won, write, done);

  b.setInsertionPointToStart(write);
  SmallVector<Value> args = {
      addressOf(b, loc, getBuffer(module)),
      LLVM::ConstantOp::create(b, loc, i64, tokamak::kErrorBufferSize)};
  for (BlockArgument arg : entry->getArguments())
    args.push_back(arg);
  auto call = LLVM::CallOp::create(b, loc, snprintfFn, args);
  call.setVarCalleeType(snprintfType);
  LLVM::BrOp::create(b, loc, done);

  b.setInsertionPointToStart(done);
  LLVM::ReturnOp::create(b, loc, ValueRange{});
  return fn;
}

/// A NUL-terminated constant string global holding `text`.
static Value getFormatString(OpBuilder &b, Location loc, ModuleOp module,
                             StringRef text) {
  std::string value = text.str();
  value.push_back('\0');
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), value.size());
  // Reuse an identical message.
  int64_t count = 0;
  for (auto global : module.getOps<LLVM::GlobalOp>()) {
    if (!global.getSymName().starts_with("_tok_error_format"))
      continue;
    ++count;
    auto str = dyn_cast_or_null<StringAttr>(global.getValueOrNull());
    if (str && str.getValue() == value)
      return addressOf(b, loc, global);
  }
  std::string name = "_tok_error_format_" + std::to_string(count);
  while (module.lookupSymbol(name))
    name += "_";
  OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
  auto global = LLVM::GlobalOp::create(mb, loc, type, /*isConstant=*/true,
                                       LLVM::Linkage::Internal, name,
                                       mb.getStringAttr(value));
  return addressOf(b, loc, global);
}

void tokamak::emitRecordError(OpBuilder &b, Location loc, ModuleOp module,
                              StringRef format, ValueRange values) {
  LLVM::LLVMFuncOp recorder = getOrCreateRecorder(module);
  Type i64 = b.getI64Type();
  SmallVector<Value> args = {getFormatString(b, loc, module, format)};
  for (Value v : values.take_front(kMaxErrorValues)) {
    if (v.getType().isIndex())
      v = arith::IndexCastOp::create(b, loc, i64, v);
    else if (v.getType().getIntOrFloatBitWidth() < 64)
      v = arith::ExtSIOp::create(b, loc, i64, v);
    args.push_back(v);
  }
  while (args.size() < kMaxErrorValues + 1)
    args.push_back(LLVM::ConstantOp::create(b, loc, i64, 0));
  LLVM::CallOp::create(b, loc, recorder, args);
}

void tokamak::emitClearError(OpBuilder &b, Location loc) {
  ModuleOp module = getModule(b);
  Value claimed = addressOf(b, loc, getClaimed(module));
  Value zero = LLVM::ConstantOp::create(b, loc, b.getI32Type(), 0);
  LLVM::StoreOp::create(b, loc, zero, claimed, /*alignment=*/4,
                        /*isVolatile=*/false, /*isNonTemporal=*/false,
                        /*isInvariantGroup=*/false,
                        LLVM::AtomicOrdering::release);
}

Value tokamak::emitRecordedError(OpBuilder &b, Location loc) {
  ModuleOp module = getModule(b);
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  Value claimed = addressOf(b, loc, getClaimed(module));
  Value flag = LLVM::LoadOp::create(b, loc, b.getI32Type(), claimed,
                                    /*alignment=*/4, /*isVolatile=*/false,
                                    /*isNonTemporal=*/false,
                                    /*isInvariant=*/false,
                                    /*isInvariantGroup=*/false,
                                    LLVM::AtomicOrdering::acquire);
  Value zero = LLVM::ConstantOp::create(b, loc, b.getI32Type(), 0);
  Value set = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, flag, zero);
  Value buffer = addressOf(b, loc, getBuffer(module));
  Value null = LLVM::ZeroOp::create(b, loc, ptr);
  return LLVM::SelectOp::create(b, loc, set, buffer, null);
}

std::string tokamak::getErrorLocationPrefix(Location loc) {
  FileLineColLoc fileLoc;
  loc->walk([&](Location l) {
    if (auto f = dyn_cast<FileLineColLoc>(l)) {
      fileLoc = f;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (!fileLoc)
    return "";
  std::string text;
  for (char c : fileLoc.getFilename().getValue()) {
    text += c;
    if (c == '%')
      text += '%';
  }
  return text + ":" + std::to_string(fileLoc.getLine()) + ":" +
         std::to_string(fileLoc.getColumn()) + ": ";
}
