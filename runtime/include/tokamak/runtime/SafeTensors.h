//===- SafeTensors.h - Hugging Face safetensors weights ---------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Reading model weights stored in the safetensors format
// (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON
//
//   {"__metadata__": {"format": "pt"},
//    "w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
//
// and the data section, which the offsets index. Files are memory-mapped
// read-only and never copied; tensors view the mapping.
//
// The reader is hardened against hostile files: every malformed input is
// one error naming the file and the problem, never a crash, an
// out-of-bounds read or an allocation beyond a small multiple of the
// header's size. It is strict on overlapping tensors and lenient on gaps
// between them. Element types map as
//
//   F64 f64   F32 f32   F16 f16   BF16 bf16   I64 i64   I32 i32   I16 i16
//   I8 i8   U16 u16   U8 u8   BOOL i1
//
// and every other safetensors dtype (U32, F8_E4M3, ...) is an error naming it.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_SAFETENSORS_H
#define TOKAMAK_RUNTIME_SAFETENSORS_H

#include "tokamak/runtime/DType.h"
#include "tokamak/runtime/Status.h"
#include "tokamak/runtime/Tensor.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tokamak::rt {

/// The largest header read, as in the reference implementation
/// (safetensors-rs): "header of N bytes is over the 100 MB limit".
inline constexpr uint64_t kMaxSafeTensorsHeaderBytes = 100'000'000;

/// The largest tensor rank read; more dimensions come from hostile files.
inline constexpr size_t kMaxSafeTensorsRank = 64;

/// The safetensors name of `dtype`: "F32", "BF16", "U8", "BOOL" for i1, ...
std::string safeTensorsDTypeName(DType dtype);

/// The element type of safetensors dtype `name` ("F32" -> f32, "BOOL" ->
/// i1), or an error "unsupported dtype 'name' (supported: ...)".
StatusOr<DType> parseSafeTensorsDType(std::string_view name);

/// One tensor of a safetensors file: metadata plus a read-only view of its
/// bytes in the mapping.
struct SafeTensorInfo {
  std::string name;
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  /// The first byte of the tensor, inside the mapping (or the parsed image).
  const void *data = nullptr;
  /// numel(shape) * dtypeSize(dtype).
  size_t byteSize = 0;
  /// The path of the file holding the tensor.
  std::string file;
};

/// Parses and validates a whole safetensors image held in memory (8-byte
/// little-endian header length, JSON header, data). `fileName` prefixes
/// error messages and fills SafeTensorInfo::file. On success the tensors,
/// sorted by name, point into `bytes`. Offsets are checked to be multiples
/// of the element size relative to the data section, so the views are
/// aligned when the data section is 8-byte aligned in memory, as it is in a
/// file mapping when the header length is a multiple of 8 (every writer
/// since safetensors 0.3 pads it so). Used by WeightStore and the fuzzer.
StatusOr<std::vector<SafeTensorInfo>>
parseSafeTensors(const uint8_t *bytes, size_t size, std::string_view fileName);

/// All tensors of a Hugging Face model directory, memory-mapped read-only
/// (never copied). The mappings live as long as the store or any tensor
/// view() returned. A file truncated by another process while mapped makes
/// reads of the lost pages fault (SIGBUS), as with any mapping.
class WeightStore {
public:
  /// `dir/model.safetensors`, or else the shards listed by
  /// `dir/model.safetensors.index.json` ("weight_map": tensor name -> shard
  /// file in `dir`). Each shard is opened once; a shard name holding "/" or
  /// "..", a listed tensor missing from its shard, and a tensor present in
  /// two shards are errors. Tensors of a shard the index does not list are
  /// kept. Error "<dir>: no model.safetensors or model.safetensors.index.json"
  /// when neither exists.
  static StatusOr<std::shared_ptr<WeightStore>>
  openDirectory(const std::string &dir);

  /// The single safetensors file at `path`. FIFOs, devices and directories
  /// are refused without blocking.
  static StatusOr<std::shared_ptr<WeightStore>>
  openFile(const std::string &path);

  /// The tensor called `name`, or nullptr when absent.
  const SafeTensorInfo *find(std::string_view name) const;

  /// Every tensor, sorted by name.
  const std::vector<SafeTensorInfo> &tensors() const { return entries; }

  /// A HostTensor viewing the mapped bytes of tensor `name`, which keeps the
  /// mapping alive; an error naming the tensor when absent. The mapping is
  /// read-only (PROT_READ) although HostTensor hands out a mutable pointer:
  /// compiled code never writes its weight arguments, and a write faults.
  StatusOr<HostTensor> view(std::string_view name) const;

  /// The "__metadata__" string map of the file (of the first shard in name
  /// order for a sharded model); empty when the file has none.
  const std::map<std::string, std::string> &metadata() const {
    return fileMetadata;
  }

private:
  WeightStore() = default;

  /// openDirectory() for a model sharded by the index at `indexPath`.
  static StatusOr<std::shared_ptr<WeightStore>>
  openSharded(const std::string &dir, const std::string &indexPath);

  /// The path or directory the store was opened from, for messages.
  std::string source;
  /// Sorted by name.
  std::vector<SafeTensorInfo> entries;
  /// entries[i]'s file mapping, shared with the views.
  std::vector<std::shared_ptr<void>> owners;
  std::map<std::string, std::string> fileMetadata;
};

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_SAFETENSORS_H
