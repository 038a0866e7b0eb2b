//===- MarkInputsReadOnly.cpp - Protect caller-owned inputs ---------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#include "tokamak/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"

namespace tokamak {
#define GEN_PASS_DEF_MARKINPUTSREADONLY
#include "tokamak/Transforms/Passes.h.inc"
} // namespace tokamak

using namespace mlir;

namespace {
struct MarkInputsReadOnlyPass
    : tokamak::impl::MarkInputsReadOnlyBase<MarkInputsReadOnlyPass> {
  void runOnOperation() override {
    StringRef name = bufferization::BufferizationDialect::kWritableAttrName;
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (!fn.isPublic() || fn.isExternal())
        continue;
      for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
        if (isa<TensorType>(fn.getArgument(i).getType()) &&
            !fn.getArgAttr(i, name))
          fn.setArgAttr(i, name, BoolAttr::get(&getContext(), false));
    }
  }
};
} // namespace
