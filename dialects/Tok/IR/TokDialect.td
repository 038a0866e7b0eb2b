//===- TokDialect.td - The tok dialect ---------------------*- tablegen -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_DIALECT_TOK_IR_TOKDIALECT_TD
#define TOKAMAK_DIALECT_TOK_IR_TOKDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/TilingInterface.td"

def Tok_Dialect : Dialect {
  let name = "tok";
  let summary = "attention, scans and token mixers as first-class ops";
  let description = [{
    The `tok` dialect represents the sequence-mixing primitives of
    transformer-family models at the level of whole tensors: attention in all
    its variants (causal, GQA/MQA, sliding window, sinks, softcap, bias,
    score modifiers, packed variable-length, paged KV cache), scans
    (Mamba selective scan, matrix-state linear recurrences, generic
    associative scans) and token mixers (causal depthwise conv1d, pooling),
    plus the building blocks around them (linear, norms, rope, gating,
    activations, embedding) and top-k selection for sparse attention and
    KV-cache policies. Ops have value semantics on ranked tensors;
    tiling, fusion and lowering passes turn them into linalg/scf/vector code.

    ### Tiling

    The compute ops implement `TilingInterface` and
    `ReifyRankedShapedTypeOpInterface`, so upstream tiling and fusion
    (`transform.structured.tile_using_for`, `tile_using_forall`,
    `fuse_into_containing_op`, `structured.fuse`) apply to them. A tile is
    the same op on `tensor.extract_slice`s of the operands; every loop is
    parallel. The iteration domain of each op holds only the dims along which
    a tile is exact:

    | op | iteration domain | not tiled (why) |
    |---|---|---|
    | `linear` | x's leading dims, N | K (a split would be a partial sum) |
    | `rms_norm`, `layer_norm`, `glu` | leading dims | last dim (normalized, or paired halves) |
    | `rope` | B, H, S (positions sliced with B, S) | D (rotation pairs) |
    | `activation` | every dim | |
    | `embedding` | ids' dims, E | |
    | `lse_merge` | lse's dims | Dv (lse would be recomputed per tile) |
    | `pool2d` | B, C | H, W (a halo) |
    | `conv1d` | B, C (init, state sliced alike) | L (the state crosses tiles) |
    | `selective_scan` | B, Dm | L (the recurrence) |
    | `linear_scan` | B, H, Dv (init, final state alike) | L (the recurrence), Dk (contracted) |
    | `assoc_scan` | every dim but `dim` | `dim` (the scan) |
    | `attention` | B, Hq, Sq | Skv (the softmax), D, Dv |
    | `paged_attention` | B, Hq | Sq (`lens` would need rewriting) |
    | `topk` | the results' dims but `dim` (`group_dim` in results) | `dim` (the selection) |

    Conditions a tile must meet (otherwise tiling fails with a warning):
    query heads of `attention` and `paged_attention` come in whole GQA groups
    (offset and size provably multiples of `Hq / Hkv`; the tile reads kv
    heads `[offset / G, size / G)`); `selective_scan` channel tiles cover
    whole B/C groups or stay inside one; `attention` query rows are not split
    with `seq_starts` or `block_indices` (the block lists of a tile's batch
    entries and kv heads go with it, every query block whole). A causal
    query-row tile `[o, o + s)` keeps the bottom-right alignment exactly by
    reading the key prefix
    `[0, Skv − Sq + o + s)` (clamped at 0): every key past it is masked for
    all rows of the tile, `window` counts from the same alignment and `sinks`
    from key 0. `bias` is sliced along its non-broadcast dims, and
    `score_mod` still receives global batch, head and query indices.
    `cache_write` is a scatter and is not tiled. A `topk` tile of `s` rows
    at offset `o` along `group_dim` reads the input's rows
    `[o·G, (o + s)·G)`.
  }];
  let cppNamespace = "::mlir::tok";
  // Tiles of tok ops (TilingInterfaceImpl.cpp) slice with tensor ops and
  // compute offsets with affine/arith ops.
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let usePropertiesForAttributes = 1;
}

class Tok_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tok_Dialect, mnemonic, traits>;

// A compute op: tensors in, tensors out, tileable over the parallel dims of
// its results. TilingInterface and ReifyRankedShapedTypeOpInterface are
// implemented once for every compute op in TilingInterfaceImpl.cpp from the
// op's tile rules (which dims of the domain each operand and result follow).
class Tok_ComputeOp<string mnemonic, list<Trait> traits = []>
    : Tok_Op<mnemonic, !listconcat(traits, [
        DeclareOpInterfaceMethods<TilingInterface, [
          "getLoopIteratorTypes", "getIterationDomain",
          "getTiledImplementation", "getResultTilePosition",
          "getIterationDomainTileFromResultTile", "generateResultTileValue"]>,
        DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
                                  ["reifyResultShapes"]>])>;

#endif // TOKAMAK_DIALECT_TOK_IR_TOKDIALECT_TD
