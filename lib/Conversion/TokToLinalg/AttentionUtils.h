//===- AttentionUtils.h - Shared pieces of the attention lowering -*- C++
//-*-===//
//
// Part of the Tokamak project. Private to lib/Conversion/TokToLinalg: the
// reference attention core shared by tok.attention and tok.paged_attention.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_CONVERSION_TOKTOLINALG_ATTENTIONUTILS_H
#define TOKAMAK_LIB_CONVERSION_TOKTOLINALG_ATTENTIONUTILS_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Region.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <functional>
#include <optional>

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace tokamak::detail {

/// Where a query and a key sit for masking, built inside the score body.
/// Causal keeps `keyPos <= queryPos + offset`, a window W also keeps
/// `keyPos > queryPos + offset - W`, sinks N keep `keyPos < N`; `valid`
/// (an i1, or null for "always") is ANDed in.
struct MaskPositions {
  mlir::Value queryPos;
  mlir::Value keyPos;
  mlir::Value offset;
  mlir::Value valid;
};

/// Builds the mask positions from the loop indices `(b, h, i, j)` and the
/// block arguments of the extra mask inputs.
using MaskPositionsFn = std::function<MaskPositions(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange loopIndices,
    mlir::ValueRange maskArgs)>;

/// One attention problem in the dense layout: query `[B, Hq, Sq, D]`, key
/// `[B, Hkv, Skv, D]`, value `[B, Hkv, Skv, Dv]`.
struct AttentionSpec {
  mlir::Value query, key, value;
  /// Optional bias broadcastable to `[B, Hq, Sq, Skv]`.
  mlir::Value bias;
  /// Optional score_mod region `(s, b, h, i, j) -> s`, inlined.
  mlir::Region *scoreMod = nullptr;
  std::optional<double> scale, softcap;
  bool causal = false;
  std::optional<int64_t> window, sinks;
  /// Extra tensors read by the mask, with their maps from `(b, h, i, j)`.
  llvm::SmallVector<mlir::Value> maskInputs;
  llvm::SmallVector<mlir::AffineMap> maskMaps;
  /// Null: `queryPos = i`, `keyPos = j`, `offset = Skv - Sq`.
  MaskPositionsFn positions;
  /// Optional block sparsity (tok.attention block_indices): `blockSelected`
  /// i8 `[B, Hkv, Nqb + 1, Nkb]`, nonzero where a key block is listed for a
  /// query block (row Nqb is zeros: rows of query blocks past the lists see
  /// nothing). Row i, key j read entry
  /// `[b, h / G, min(i / blockQ, Nqb), j / blockK]`.
  mlir::Value blockSelected;
  int64_t blockQ = 1, blockK = 1;
  /// Element type of the output (the lse is always f32).
  mlir::Type outputElementType;
  bool withLse = false;
  /// The stats result (tok.attention): probability column sums over the
  /// last `statsWindow` query rows (all when unset), per kv head or per
  /// query head.
  bool withStats = false;
  std::optional<int64_t> statsWindow;
  bool statsPerQueryHead = false;
  /// Packed sequences: i64 `[Sq]`, the end of each row's sequence (the
  /// window is the last `statsWindow` rows of it).
  mlir::Value statsRowEnd;
};

/// The results of buildAttentionResults; lse and stats are null unless
/// asked for.
struct AttentionResults {
  mlir::Value output, lse, stats;
};

/// Like buildAttention, with the stats result when `withStats`.
mlir::FailureOr<AttentionResults>
buildAttentionResults(mlir::OpBuilder &b, mlir::Location loc,
                      const AttentionSpec &spec);

/// Emits the reference lowering of `spec` (scores materialized in f32,
/// softmax with max subtraction, fully masked rows give zeros and lse -inf).
/// Returns the output and the lse (null unless `withLse`).
mlir::FailureOr<std::pair<mlir::Value, mlir::Value>>
buildAttention(mlir::OpBuilder &b, mlir::Location loc,
               const AttentionSpec &spec);

/// Builds a `linalg.generic` with one init and returns its result; `body`
/// gets the block arguments (inputs, then the init) and returns the value
/// to yield.
mlir::Value
makeGeneric(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange inputs,
            mlir::Value init, llvm::ArrayRef<mlir::AffineMap> maps,
            llvm::ArrayRef<mlir::utils::IteratorType> iterators,
            llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                           mlir::ValueRange)>
                body);

/// An f32 constant.
mlir::Value cstF32(mlir::OpBuilder &b, mlir::Location loc, double value);

/// The selection of tok.attention's block lists (BlockSparse.cpp):
/// `[B, Hkv, Nqb + 1, ceil(Skv / blockK)]` i8 from `indices`
/// `[B, Hkv, Nqb, MaxSel]` and the optional `counts` `[B, Hkv, Nqb]`; see
/// AttentionSpec::blockSelected.
mlir::Value buildBlockSelection(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Value indices, mlir::Value counts,
                                mlir::OpFoldResult keyLength, int64_t blockK);

/// tok.paged_attention and tok.cache_write (PagedAttention.cpp).
void populatePagedAttentionPatterns(mlir::RewritePatternSet &patterns);

} // namespace tokamak::detail

#endif // TOKAMAK_LIB_CONVERSION_TOKTOLINALG_ATTENTIONUTILS_H
