//===- FragmentMaps.h - Index maps of the mma.sync fragments ----*- C++ -*-===//
//
// Part of the Tokamak project. The index arithmetic of the tensor-core
// kernels, written once as templates over an integer-like type `I`: the
// emitter instantiates them with `IndexExpr` (each operator emits an arith op
// on `index` values), the unit test with `int` and checks them against the
// PTX ISA's fragment layouts. Nothing here includes MLIR.
//
// Conventions (PTX ISA, "Matrix Fragments for mma.m16n8k16" and "ldmatrix"):
// a lane is `l`, its group `g = l / 4` and its thread-in-group `t = l % 4`.
// A fragment element is named by (register r, element e): register r is row
// r of the nvgpu fragment vector, e one of its two elements (the ISA's a_i,
// b_i, c_i with i = 2r + e).
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_CODEGEN_CUDA_TENSORCORES_FRAGMENTMAPS_H
#define TOKAMAK_CODEGEN_CUDA_TENSORCORES_FRAGMENTMAPS_H

#include <cstdint>

namespace tokamak::cuda::tc {

/// The m16n8k16 MMA atom.
constexpr int kMmaM = 16;
constexpr int kMmaN = 8;
constexpr int kMmaK = 16;
/// 16-bit elements per 16-byte chunk (one cp.async, one ldmatrix row).
constexpr int kChunkElems = 8;

/// A (row, column) pair of any integer-like type.
template <typename I> struct RowCol {
  I row;
  I col;
};

//===----------------------------------------------------------------------===//
// Fragment ownership (which lane holds which element)
//===----------------------------------------------------------------------===//

/// Element (reg, elem) of lane `lane`'s A fragment (16x16, row-major): the
/// registers are the nvgpu `vector<4x2xT>` rows. a0a1: (g, 2t), a2a3:
/// (g + 8, 2t), a4a5: (g, 2t + 8), a6a7: (g + 8, 2t + 8).
template <typename I>
constexpr RowCol<I> mmaAElement(I lane, int reg, int elem) {
  return {lane / 4 + 8 * (reg % 2), (lane % 4) * 2 + elem + 8 * (reg / 2)};
}

/// Element (reg, elem) of the B fragment (16x8, k x n): b0b1: (2t, g),
/// b2b3: (2t + 8, g).
template <typename I>
constexpr RowCol<I> mmaBElement(I lane, int reg, int elem) {
  return {(lane % 4) * 2 + elem + 8 * reg, lane / 4};
}

/// Element (reg, elem) of the C/D fragment (16x8, f32): the nvgpu
/// `vector<2x2xf32>` row `reg` holds row g (reg 0) or g + 8 (reg 1), columns
/// 2t and 2t + 1.
template <typename I>
constexpr RowCol<I> mmaCElement(I lane, int reg, int elem) {
  return {lane / 4 + 8 * reg, (lane % 4) * 2 + elem};
}

/// The C -> A identity that lets P = softmax(S) feed P·V from registers: the
/// A fragment of k-chunk `kk` (keys 16kk..16kk+15) is, register by register,
/// C row `cToARow(reg)` of score n-tile `cToANTile(kk, reg)`.
constexpr int cToANTile(int kk, int reg) { return 2 * kk + reg / 2; }
constexpr int cToARow(int reg) { return reg % 2; }

//===----------------------------------------------------------------------===//
// ldmatrix addressing
//===----------------------------------------------------------------------===//

/// How the four 8x8 matrices of an ldmatrix.x4 tile a 16x16 block: matrix i
/// (addressed by lanes 8i..8i+7) sits at block row `i % 2`, column `i / 2`
/// (`RowsFirst`: A operands, and V read transposed) or at block row `i / 2`,
/// column `i % 2` (`ColsFirst`: K and W stored [n][k], whose x4 yields the B
/// fragments of two n-tiles: registers 0-1 and 2-3).
enum class X4Order { RowsFirst, ColsFirst };

/// The shared-memory element (row, column) whose 16-byte row lane `lane`
/// addresses in an ldmatrix.x4 of the 16x16 block at (row0, col0).
template <typename I>
constexpr RowCol<I> ldmatrixX4Address(I lane, X4Order order) {
  I matrix = lane / 8;
  I rowBlock = order == X4Order::RowsFirst ? matrix % 2 : matrix / 2;
  I colBlock = order == X4Order::RowsFirst ? matrix / 2 : matrix % 2;
  return {lane % 8 + rowBlock * 8, colBlock * 8};
}

//===----------------------------------------------------------------------===//
// Swizzled shared-memory tiles
//===----------------------------------------------------------------------===//

/// The physical 16-byte chunk of logical chunk `chunk` in row `row` of a
/// shared tile with `chunksPerRow` chunks per row (a power of two): the chunk
/// index is XORed with row bits so that the 8 rows an ldmatrix phase reads
/// (and the rows a cp.async wave writes) fall in 8 distinct 16-byte bank
/// groups. Rows of 64 bytes (4 chunks) pair up in a 128-byte bank line, so
/// they XOR with (row / 2) % 4; wider rows XOR their low 3 chunk bits with
/// row % 8. `chunksPerRow` below 4 is not swizzled.
template <typename I>
constexpr I swizzleChunk(I row, I chunk, int chunksPerRow) {
  if (chunksPerRow >= 8)
    return chunk ^ (row % 8);
  if (chunksPerRow == 4)
    return chunk ^ ((row / 2) % 4);
  return chunk;
}

/// The physical column (in elements) of element (row, col) of a swizzled
/// tile; `col` may be any element of its chunk.
template <typename I> constexpr I swizzleCol(I row, I col, int chunksPerRow) {
  return swizzleChunk<I>(row, col / kChunkElems, chunksPerRow) * kChunkElems +
         col % kChunkElems;
}

/// The tile element (row, column) of the 16-byte chunk that thread `tid`
/// copies in round `round` when `numThreads` threads copy a tile with
/// `chunksPerRow` chunks per row (consecutive threads take consecutive chunks
/// of a row, so a warp reads whole 128-byte lines).
template <typename I>
constexpr RowCol<I> copyChunk(I tid, int round, int numThreads,
                              int chunksPerRow) {
  I chunk = tid + round * numThreads;
  return {chunk / chunksPerRow, (chunk % chunksPerRow) * kChunkElems};
}

/// The physical shared-memory element lane `lane` addresses in an
/// ldmatrix.x4 of the 16x16 block at logical (row0, col0) of a swizzled tile
/// with `chunksPerRow` chunks per row.
template <typename I>
constexpr RowCol<I> ldmatrixX4SharedAddress(I lane, I row0, I col0,
                                            X4Order order, int chunksPerRow) {
  RowCol<I> rc = ldmatrixX4Address(lane, order);
  I row = row0 + rc.row;
  return {row, swizzleCol(row, col0 + rc.col, chunksPerRow)};
}

//===----------------------------------------------------------------------===//
// Attention masks and key-block bounds
//===----------------------------------------------------------------------===//

/// The mask parameters of a tok.attention (DESIGN §4.1): `offset` = Skv - Sq
/// (bottom-right aligned causal mask), `window` = W (0: none).
template <typename I> struct MaskParams {
  I numKeys;
  I offset;
  bool causal;
  int64_t window;
};

/// Whether query row i sees key j: j < Skv, and j <= i + offset if causal,
/// and j > i + offset - W with a window.
template <typename I, typename B>
B keyVisible(const MaskParams<I> &m, I i, I j, B always) {
  B visible = always && j < m.numKeys;
  if (m.causal)
    visible = visible && j <= i + m.offset;
  if (m.window > 0)
    visible = visible && j + m.window > i + m.offset;
  return visible;
}

/// GQA packing: `headsPerTile` query heads of one kv group share a query
/// tile of `rows` rows (and every K/V block load), each with
/// rows / headsPerTile consecutive positions. Tile row r holds head
/// `headBase + r / (rows / headsPerTile)` at position
/// `q0 + r % (rows / headsPerTile)`.
template <typename I>
constexpr I packedRowHead(I headBase, I r, int headsPerTile, int rows) {
  return headsPerTile == 1 ? headBase : headBase + r / (rows / headsPerTile);
}
template <typename I>
constexpr I packedRowPosition(I q0, I r, int headsPerTile, int rows) {
  return headsPerTile == 1 ? q0 + r : q0 + r % (rows / headsPerTile);
}

/// The key blocks [first, end) of `blockKeys` keys that the query rows
/// [q0, q0 + rows) can see; blocks outside are never visited. `minI`/`maxI`
/// are the min/max helpers of `I`.
template <typename I, typename MinFn, typename MaxFn>
RowCol<I> keyBlockRange(const MaskParams<I> &m, I q0, int rows, int blockKeys,
                        I zero, MinFn minI, MaxFn maxI) {
  I end = m.numKeys;
  if (m.causal)
    end = minI(end, maxI(zero, q0 + m.offset + rows));
  I begin = zero;
  if (m.window > 0)
    begin = minI(end, maxI(zero, q0 + m.offset + (1 - m.window)));
  I first = begin / blockKeys;
  I last = (end + (blockKeys - 1)) / blockKeys;
  return {first, maxI(first, last)};
}

/// Whether the key block starting at key j0 needs the per-element mask for
/// query rows [q0, q0 + rows): it runs past Skv, or crosses the causal
/// diagonal of row q0, or the window's lower edge of row q0 + rows - 1.
template <typename I, typename B>
B keyBlockNeedsMask(const MaskParams<I> &m, I q0, int rows, int blockKeys, I j0,
                    B never) {
  B needs = never || j0 + blockKeys > m.numKeys;
  if (m.causal)
    needs = needs || j0 + (blockKeys - 1) > q0 + m.offset;
  if (m.window > 0)
    needs = needs || j0 + m.window <= q0 + (rows - 1) + m.offset;
  return needs;
}

} // namespace tokamak::cuda::tc

#endif // TOKAMAK_CODEGEN_CUDA_TENSORCORES_FRAGMENTMAPS_H
