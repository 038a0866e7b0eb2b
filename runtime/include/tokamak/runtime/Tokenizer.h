//===- Tokenizer.h - Text tokenizers for HF model directories ---*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Text to token ids and back, as Hugging Face `tokenizers` does, for the
// tokenizer of a model directory:
//
//  - tokenizer.json: byte-level BPE (GPT-2, Llama-3, Qwen2), SentencePiece-
//    style BPE with byte fallback (Llama-2, Mistral) and WordPiece (BERT).
//    Any component this library does not implement is an error naming it,
//    never silently different ids. Padding and truncation settings are
//    ignored.
//  - tokenizer.model (when there is no tokenizer.json): a SentencePiece
//    model, through libsentencepiece; encode adds BOS as Llama does.
//
// Lives in the TokamakTokenizer library, apart from TokamakRuntime, so the
// runtime does not need PCRE2, utf8proc or SentencePiece.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_TOKENIZER_H
#define TOKAMAK_RUNTIME_TOKENIZER_H

#include "tokamak/runtime/Status.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokamak::rt {

/// A text tokenizer. Thread-safe for concurrent const calls.
class Tokenizer {
public:
  /// Loads `modelDir`/tokenizer.json (preferred) or `modelDir`/tokenizer.model.
  /// BOS/EOS come from tokenizer_config.json when the directory has one.
  /// Error "<dir>: no tokenizer.json or tokenizer.model (use --prompt-ids)"
  /// when neither file exists.
  static StatusOr<std::unique_ptr<Tokenizer>>
  loadFromDirectory(const std::string &modelDir);

  /// Loads a Hugging Face tokenizer.json.
  static StatusOr<std::unique_ptr<Tokenizer>> loadJson(const std::string &path);

  /// Loads a SentencePiece model (tokenizer.model).
  static StatusOr<std::unique_ptr<Tokenizer>>
  loadSentencePiece(const std::string &path);

  virtual ~Tokenizer();

  /// The ids of `text` (UTF-8; invalid UTF-8 is an error). With
  /// `addSpecialTokens`, the special tokens the tokenizer's post-processor
  /// adds (BOS, [CLS]/[SEP], ...) are included.
  virtual StatusOr<std::vector<int32_t>>
  encode(std::string_view text, bool addSpecialTokens = true) const = 0;

  /// The text of `ids`; special tokens are left out with
  /// `skipSpecialTokens`. An id outside [0, vocabSize()) is an error naming
  /// the id and the vocabulary size.
  virtual StatusOr<std::string> decode(const std::vector<int32_t> &ids,
                                       bool skipSpecialTokens = true) const = 0;

  /// The number of ids, added tokens included (the largest id plus one).
  virtual int64_t vocabSize() const = 0;

  /// The id of `token` (a vocabulary entry or an added token), if any.
  virtual std::optional<int32_t> tokenToId(std::string_view token) const = 0;

  /// The beginning-of-sequence id, when known.
  std::optional<int32_t> bosId() const { return bos; }
  /// The end-of-sequence id, when known.
  std::optional<int32_t> eosId() const { return eos; }
  void setBosId(std::optional<int32_t> id) { bos = id; }
  void setEosId(std::optional<int32_t> id) { eos = id; }

  /// Streaming detokenizer: feed ids one by one, get the text that became
  /// printable with each. Text is held back while the decoded tail is an
  /// incomplete UTF-8 sequence (it decodes to U+FFFD) and emitted once the
  /// next id completes it, so the concatenated outputs equal decode(ids).
  /// Keeps a reference to the tokenizer, which must outlive it.
  class Stream {
  public:
    explicit Stream(const Tokenizer &tokenizer, bool skipSpecialTokens = true);

    /// Adds `id`; returns the newly printable text (often empty).
    StatusOr<std::string> push(int32_t id);

    /// Flushes held-back text (as U+FFFD where bytes are still incomplete)
    /// and resets the stream.
    StatusOr<std::string> finish();

  private:
    const Tokenizer &tokenizer;
    bool skipSpecialTokens;
    /// Ids from the last emitted prefix on.
    std::vector<int32_t> ids;
    /// decode(ids[0, prefixIndex)): the context the next text follows.
    std::string prefix;
    size_t prefixIndex = 0;
  };

protected:
  Tokenizer() = default;

private:
  std::optional<int32_t> bos, eos;
};

} // namespace tokamak::rt

#endif // TOKAMAK_RUNTIME_TOKENIZER_H
