//===- TokenizerImpl.h - Tokenizer components -------------------*- C++ -*-===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The pieces a tokenizer.json pipeline is built from, mirroring HF
// `tokenizers`: normalizers rewrite text, pre-tokenizers split it into
// pieces, a model turns each piece into ids, a post-processor adds special
// tokens and a decoder turns tokens back into text. Each `parse*` function
// builds one component from its JSON object, or fails naming the component
// type it does not support. Private to the TokamakTokenizer library.
//
//===----------------------------------------------------------------------===//

#ifndef TOKAMAK_RUNTIME_TOKENIZER_TOKENIZERIMPL_H
#define TOKAMAK_RUNTIME_TOKENIZER_TOKENIZERIMPL_H

#include "tokamak/runtime/Status.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tokamak::rt::tok {

using Json = nlohmann::json;

//===----------------------------------------------------------------------===//
// Unicode helpers (Unicode.cpp)
//===----------------------------------------------------------------------===//

/// The byte offset of the first invalid UTF-8 sequence in `text`, or npos.
size_t findInvalidUtf8(std::string_view text);

/// Decodes the code point at `text[pos]` (valid UTF-8) and advances `pos`.
char32_t nextCodePoint(std::string_view text, size_t &pos);

/// Appends `cp` to `out` as UTF-8.
void appendUtf8(std::string &out, char32_t cp);

/// `bytes` as UTF-8 with each maximal invalid subpart replaced by U+FFFD,
/// as Rust's String::from_utf8_lossy does.
std::string utf8Lossy(std::string_view bytes);

/// Rust's char::is_whitespace (the White_Space property).
bool isWhitespace(char32_t cp);
/// Rust's char::is_alphanumeric, approximated by the L and N categories.
bool isAlphanumeric(char32_t cp);
/// HF's BertPreTokenizer punctuation test: ASCII punctuation and the P*
/// categories, as of the Unicode version of HF's tables (BertTables.inc).
bool isBertPunctuation(char32_t cp);
/// HF's BertNormalizer control test (clean_text): Cc, Cf and Co, as of the
/// Unicode version of HF's tables.
bool isBertControl(char32_t cp);
/// HF's BertNormalizer nonspacing-mark test (strip_accents), likewise.
bool isBertNonspacingMark(char32_t cp);
/// General categories Mn, Mc or Me (the StripAccents normalizer).
bool isCombiningMark(char32_t cp);

/// Unicode normalization forms.
enum class NormalForm { NFC, NFD, NFKC, NFKD };
/// `text` in `form`.
std::string normalizeUnicode(std::string_view text, NormalForm form);
/// Rust's str::to_lowercase applied per character (no final-sigma rule).
std::string lowercase(std::string_view text);

/// A compiled PCRE2 regex (UTF + UCP, JIT when available), written in the
/// Oniguruma dialect HF uses: `\s` and `\S` are rewritten to Oniguruma's
/// whitespace set.
class Regex {
public:
  static StatusOr<std::shared_ptr<const Regex>>
  compile(std::string_view pattern);
  ~Regex();
  /// The non-overlapping, non-empty matches in `text`, as [begin, end) pairs.
  std::vector<std::pair<size_t, size_t>> findAll(std::string_view text) const;

private:
  Regex() = default;
  void *code = nullptr;
};

/// A Split/Replace pattern: {"String": s} or {"Regex": r}.
struct Pattern {
  std::string literal;
  std::shared_ptr<const Regex> regex;
  /// Matches of the pattern in `text`.
  std::vector<std::pair<size_t, size_t>> findAll(std::string_view text) const;
};
StatusOr<Pattern> parsePattern(const Json &json, std::string_view owner);

/// `text` with every match of `pattern` replaced by `content`.
std::string replaceAll(std::string_view text, const Pattern &pattern,
                       std::string_view content);

//===----------------------------------------------------------------------===//
// Normalizers (Normalizers.cpp)
//===----------------------------------------------------------------------===//

class Normalizer {
public:
  virtual ~Normalizer();
  virtual std::string normalize(std::string text) const = 0;
};
/// A normalizer from its JSON; null JSON gives null.
StatusOr<std::unique_ptr<Normalizer>> parseNormalizer(const Json &json);

//===----------------------------------------------------------------------===//
// Pre-tokenizers (PreTokenizers.cpp)
//===----------------------------------------------------------------------===//

/// A piece of text on its way to the model.
struct Piece {
  std::string text;
  /// Whether the piece starts at offset 0 of the original text.
  bool atStart = false;
};

/// How a split keeps the matched delimiters (HF SplitDelimiterBehavior).
enum class SplitBehavior {
  Removed,
  Isolated,
  MergedWithPrevious,
  MergedWithNext,
  Contiguous
};

/// Splits `piece` at `matches` (sorted [begin, end) spans) per `behavior`,
/// appending the non-empty pieces to `out`.
void splitPiece(const Piece &piece,
                const std::vector<std::pair<size_t, size_t>> &matches,
                SplitBehavior behavior, bool invert, std::vector<Piece> &out);

class PreTokenizer {
public:
  virtual ~PreTokenizer();
  virtual void preTokenize(std::vector<Piece> &pieces) const = 0;
};
StatusOr<std::unique_ptr<PreTokenizer>> parsePreTokenizer(const Json &json);

/// The character GPT-2's byte-level alphabet maps `byte` to.
char32_t byteToUnicode(uint8_t byte);
/// The byte behind a byte-level character, or -1.
int unicodeToByte(char32_t cp);

//===----------------------------------------------------------------------===//
// Models (Bpe.cpp, WordPiece.cpp)
//===----------------------------------------------------------------------===//

class Model {
public:
  virtual ~Model();
  /// Appends the ids of `piece` (non-empty) to `ids`.
  virtual Status tokenize(std::string_view piece,
                          std::vector<int32_t> &ids) const = 0;
  /// The token of `id`, or null when the model has none.
  virtual const std::string *idToToken(int32_t id) const = 0;
  /// The id of `token`, or -1.
  virtual int32_t tokenToId(std::string_view token) const = 0;
  /// The largest id plus one.
  virtual int64_t size() const = 0;
};
/// A model over a vocabulary (token <-> id); BPE and WordPiece add how a
/// piece splits into tokens.
class VocabModel : public Model {
public:
  const std::string *idToToken(int32_t id) const override {
    if (id < 0 || static_cast<size_t>(id) >= tokens.size() ||
        !hasToken[static_cast<size_t>(id)])
      return nullptr;
    return &tokens[static_cast<size_t>(id)];
  }
  int32_t tokenToId(std::string_view token) const override {
    auto it = vocab.find(std::string(token));
    return it == vocab.end() ? -1 : it->second;
  }
  int64_t size() const override { return static_cast<int64_t>(tokens.size()); }

  std::unordered_map<std::string, int32_t> vocab;
  /// Indexed by id; `hasToken` marks the ids the vocabulary defines.
  std::vector<std::string> tokens;
  std::vector<bool> hasToken;
};
StatusOr<std::unique_ptr<Model>> parseBpe(const Json &json);
StatusOr<std::unique_ptr<Model>> parseWordPiece(const Json &json);

//===----------------------------------------------------------------------===//
// Decoders (Decoders.cpp)
//===----------------------------------------------------------------------===//

class Decoder {
public:
  virtual ~Decoder();
  /// Rewrites `tokens` in place (HF decode_chain); the result is their
  /// concatenation.
  virtual void decodeChain(std::vector<std::string> &tokens) const = 0;
};
/// A decoder from its JSON; null JSON gives null.
StatusOr<std::unique_ptr<Decoder>> parseDecoder(const Json &json);

} // namespace tokamak::rt::tok

#endif // TOKAMAK_RUNTIME_TOKENIZER_TOKENIZERIMPL_H
