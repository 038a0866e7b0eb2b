//===- Fragments.h - Warp-fragment layer of the tensor-core kernels -*- C++
//-*-//
//
// Part of the Tokamak project. Builders for mma.sync m16n8k16 fragments as
// SSA values (A `vector<4x2xT>`, B `vector<2x2xT>`, C `vector<2x2xf32>`),
// their row reductions and broadcasts, swizzled shared tiles and cp.async
// copies. Only 1-D vector math is emitted (plus row extract/insert of the
// fragment vectors), as the NVVM lowering of MLIR 22 requires. The index
// arithmetic is the shared code of FragmentMaps.h instantiated with
// `IndexExpr`.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_LIB_CODEGEN_CUDA_TENSORCORES_FRAGMENTS_H
#define TOKAMAK_LIB_CODEGEN_CUDA_TENSORCORES_FRAGMENTS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "tokamak/Codegen/CUDA/TensorCores/FragmentMaps.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace tokamak::cuda::tc {

/// An i1 value under construction; `&&`, `||` and `!` emit arith ops.
struct BoolExpr {
  mlir::OpBuilder *builder;
  mlir::Location loc;
  mlir::Value value;
};
BoolExpr operator&&(BoolExpr a, BoolExpr b);
BoolExpr operator||(BoolExpr a, BoolExpr b);

/// An `index` value under construction: the integer type the FragmentMaps.h
/// templates are instantiated with in the emitter. Operators fold constants
/// (createOrFold), so lane maps of constant tiles cost nothing.
struct IndexExpr {
  mlir::OpBuilder *builder;
  mlir::Location loc;
  mlir::Value value;

  IndexExpr lit(int64_t c) const;
  operator mlir::Value() const { return value; }
};
IndexExpr operator+(IndexExpr a, IndexExpr b);
IndexExpr operator+(IndexExpr a, int64_t b);
IndexExpr operator-(IndexExpr a, IndexExpr b);
IndexExpr operator*(IndexExpr a, IndexExpr b);
IndexExpr operator*(IndexExpr a, int64_t b);
IndexExpr operator*(int64_t a, IndexExpr b);
IndexExpr operator/(IndexExpr a, int64_t b);
IndexExpr operator%(IndexExpr a, int64_t b);
IndexExpr operator^(IndexExpr a, IndexExpr b);
BoolExpr operator<(IndexExpr a, IndexExpr b);
BoolExpr operator<=(IndexExpr a, IndexExpr b);
BoolExpr operator>(IndexExpr a, IndexExpr b);
IndexExpr minExpr(IndexExpr a, IndexExpr b);
IndexExpr maxExpr(IndexExpr a, IndexExpr b);
IndexExpr selectExpr(BoolExpr c, IndexExpr a, IndexExpr b);

/// A shared-memory tile of 16-bit elements: a view `[stages, rows, cols]`
/// of the dynamic shared memory, swizzled by 16-byte chunks.
struct SharedTile {
  mlir::Value view;
  int64_t stages;
  int64_t rows;
  int64_t cols;
  int chunksPerRow() const { return cols / kChunkElems; }
  /// Bytes of all stages.
  int64_t bytes() const { return stages * rows * cols * 2; }
};

/// Builds the fragment-level ops of one kernel body. `elemType` is f16 or
/// bf16: f16 MMAs are `nvgpu.mma.sync`, bf16 ones `nvvm.mma.sync` (the nvgpu
/// op cannot deduce bf16 operand types).
class FragmentBuilder {
public:
  FragmentBuilder(mlir::OpBuilder &builder, mlir::Location loc,
                  mlir::Type elemType);

  mlir::OpBuilder &builder() { return b; }
  mlir::Location loc() const { return location; }
  mlir::Type elemType() const { return elem; }

  IndexExpr index(int64_t c);
  IndexExpr wrap(mlir::Value v);
  BoolExpr boolean(bool c);
  mlir::Value f32(double c);
  mlir::Value i32(int64_t c);

  /// `vector<4x2xT>`, `vector<2x2xT>`, `vector<2x2xf32>`, `vector<2xf32>`.
  mlir::VectorType aType();
  mlir::VectorType bType();
  mlir::VectorType cType();
  mlir::VectorType rowType();

  /// A view of `stages x rows x cols` elements at `byteOffset` of the
  /// dynamic shared memory `smem` (`memref<?xi8, workgroup>`).
  SharedTile sharedTile(mlir::Value smem, int64_t byteOffset, int64_t stages,
                        int64_t rows, int64_t cols);

  /// Copies rows [0, tile.rows) x cols [0, tile.cols) of a tile from global
  /// memory into stage `stage` with cp.async (16 bytes per copy, L1
  /// bypassed), `numThreads` threads, thread `tid`. Global element (r, c) of
  /// the tile is `src[srcPrefix..., rowBase + r, colBase + c]`; copies of
  /// rows at or past `rowLimit` or columns at or past `colLimit` (when given)
  /// zero-fill and read nothing (their source index is clamped to element
  /// (0, 0) of the last two dimensions). Appends the tokens.
  void copyTile(const SharedTile &tile, IndexExpr stage, mlir::Value src,
                mlir::ValueRange srcPrefix, IndexExpr rowBase,
                IndexExpr rowLimit, IndexExpr colBase,
                std::optional<IndexExpr> colLimit, IndexExpr tid,
                int numThreads, llvm::SmallVectorImpl<mlir::Value> &tokens);
  /// The source of tile row `row`: the indices of all but the last
  /// dimension of the source, and whether the row exists.
  using RowSource =
      llvm::function_ref<std::pair<llvm::SmallVector<mlir::Value>, BoolExpr>(
          IndexExpr row)>;
  /// copyTile with rows from anywhere in the source (`rowSource`); rows
  /// that do not exist zero-fill, with their last leading index clamped
  /// to 0.
  void copyTileRows(const SharedTile &tile, IndexExpr stage, mlir::Value src,
                    RowSource rowSource, IndexExpr colBase,
                    std::optional<IndexExpr> colLimit, IndexExpr tid,
                    int numThreads, llvm::SmallVectorImpl<mlir::Value> &tokens);
  /// Commits `tokens` as one cp.async group.
  mlir::Value commitGroup(mlir::ValueRange tokens);
  /// Waits until at most `pending` groups are in flight.
  void waitGroups(mlir::Value group, int pending);
  void barrier();

  /// ldmatrix.x4 of the 16x16 block at (row0, col0) of stage `stage`.
  mlir::Value ldmatrixX4(const SharedTile &tile, IndexExpr stage,
                         IndexExpr row0, IndexExpr col0, IndexExpr lane,
                         X4Order order, bool transpose);
  /// Registers `half*2`, `half*2+1` of an x4 result: one B fragment.
  mlir::Value bHalf(mlir::Value x4, int half);

  /// D = A·B + C on one m16n8k16 atom.
  mlir::Value mma(mlir::Value a, mlir::Value b, mlir::Value c);
  /// The A fragment of P·V's k-chunk made of score n-tiles (2kk, 2kk+1),
  /// rounded to the element type (cToANTile/cToARow of FragmentMaps.h).
  mlir::Value aFromC(mlir::Value c0, mlir::Value c1);

  /// Row `reg` (0: row g, 1: row g + 8) of a C fragment, and its update.
  mlir::Value cRow(mlir::Value c, int reg);
  mlir::Value withCRow(mlir::Value c, int reg, mlir::Value row);
  /// A C fragment whose two rows are `row0` and `row1`.
  mlir::Value cFromRows(mlir::Value row0, mlir::Value row1);

  /// Max (`isMax`) or sum of row `reg` over the C fragments `frags` in this
  /// thread, then across the quad that shares the row (`quad`: shuffle xor 1
  /// and 2).
  mlir::Value rowReduce(llvm::ArrayRef<mlir::Value> frags, int reg, bool isMax,
                        bool quad);
  /// `x` combined across the 4 lanes of its quad.
  mlir::Value quadReduce(mlir::Value x, bool isMax);
  /// `vector<2xf32>` of `x`.
  mlir::Value splat(mlir::Value x);
  /// exp2 with `afn` (ex2.approx).
  mlir::Value exp2(mlir::Value x);

private:
  mlir::OpBuilder &b;
  mlir::Location location;
  mlir::Type elem;
};

} // namespace tokamak::cuda::tc

#endif // TOKAMAK_LIB_CODEGEN_CUDA_TENSORCORES_FRAGMENTS_H
