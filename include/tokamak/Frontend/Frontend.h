//===- Frontend.h - Hugging Face model directories to tok IR ----*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Imports a Hugging Face model directory (config.json + *.safetensors) as a
// tok module in the session ABI (docs/Session.md): `@prefill` and `@decode`
// over a paged KV cache, plus `@hidden`, the final hidden states of one
// sequence. An encoder (bert) has only `@hidden` and metadata `generates:
// false`. Each distinct layer kind is one private function per phase,
// called once per layer with that layer's weights, so compile time does not
// grow with depth. Weights are function arguments (never constants): the
// runtime passes views of the memory-mapped safetensors files, in the order
// `ImportedModel::weights` lists, and a BF16 checkpoint runs in BF16.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_FRONTEND_FRONTEND_H
#define TOKAMAK_FRONTEND_FRONTEND_H

#include "tokamak/runtime/Status.h"

#include <string>
#include <vector>

namespace tokamak::frontend {

struct ImportOptions {
  /// Rows per K/V block of the paged cache (static in the IR).
  int64_t blockSize = 16;
  /// When > 0, decoders (llama family) also export `@prefill_stats`: @prefill
  /// returning, after the logits, every attention layer's `tok.attention`
  /// stats (`stats_window` = this, per kv head, `[1, Hkv, T]` f32): the SnapKV
  /// votes of each sequence's last `snapkvObs` queries (docs/Session.md).
  int64_t snapkvObs = 0;
  /// When > 0, decoders also export `@snapkv_select_avg` and
  /// `@snapkv_select_max` (SnapKV's pooling and top-k as upstream linalg
  /// pooling + `tok.topk`, lib/Frontend/SnapKVIR.h) for budgets up to this;
  /// the session selects through them (docs/Session.md).
  int64_t snapkvBudget = 0;
  /// How decoders (llama family) lay out the paged KV cache: one block table
  /// per sequence over blocks of every kv head (`Shared`), or one block table
  /// per (sequence, kv head) over one-head blocks (`PerHead`: per-head
  /// policies such as RazorAttention's full heads and per-head SnapKV free
  /// blocks; docs/Session.md "The per-head layout").
  enum class KVLayout { Shared, PerHead };
  KVLayout kvLayout = KVLayout::Shared;
  /// Which layers of a decoder share a cache group (a block table and a KV
  /// policy): one group per distinct attention window (`ByWindow`), or one
  /// per attention layer (`PerLayer`: a policy, and a SnapKV selection, per
  /// layer).
  enum class KVGroups { ByWindow, PerLayer };
  KVGroups kvGroups = KVGroups::ByWindow;
  /// Decoders (llama family) also export `@prefill_h2o` (@prefill returning,
  /// after the logits, every attention layer's stats over all of each
  /// sequence's queries, `[1, Hkv, T]` f32) and `@decode_stats` (@decode
  /// returning every layer's tok.paged_attention stats `[B, Hkv, MaxRows]`
  /// f32): the H2O policy's accumulated attention (docs/Session.md).
  bool h2o = false;
};

/// Parses "shared" / "per-head" and "by-window" / "per-layer" (the
/// --kv-layout and --kv-groups values of the tools); errors name the value.
rt::StatusOr<ImportOptions::KVLayout> parseKVLayout(const std::string &text);
rt::StatusOr<ImportOptions::KVGroups> parseKVGroups(const std::string &text);

struct ImportedModel {
  /// The module, as MLIR text in the tok dialect. Its `tokamak.model`
  /// attribute holds the metadata JSON below.
  std::string mlir;
  /// The safetensors names of the weight arguments, in argument order.
  std::vector<std::string> weights;
  /// The "model" object of the artifact metadata (docs/Artifacts.md).
  std::string metadataJson;
};

/// Reads `dir/config.json` and the safetensors headers (one file or shards)
/// and builds the module. Every error names the file, the field or the
/// tensor: unsupported architectures, missing, unexpected or mis-shaped
/// tensors, mixed or unsupported dtypes.
rt::StatusOr<ImportedModel> importModelDirectory(const std::string &dir,
                                                 const ImportOptions &options);

} // namespace tokamak::frontend

#endif // TOKAMAK_FRONTEND_FRONTEND_H
