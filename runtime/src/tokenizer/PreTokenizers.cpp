//===- PreTokenizers.cpp - tokenizer.json pre-tokenizers ------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// ByteLevel, Split, Metaspace, BertPreTokenizer, Whitespace, WhitespaceSplit
// and Sequence, with HF's split semantics (SplitDelimiterBehavior, empty
// pieces dropped).
//
//===----------------------------------------------------------------------===//

#include "TokenizerImpl.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

using namespace tokamak::rt;
using namespace tokamak::rt::tok;

PreTokenizer::~PreTokenizer() = default;

//===----------------------------------------------------------------------===//
// Splitting
//===----------------------------------------------------------------------===//

void tok::splitPiece(const Piece &piece,
                     const std::vector<std::pair<size_t, size_t>> &matches,
                     SplitBehavior behavior, bool invert,
                     std::vector<Piece> &out) {
  struct Span {
    size_t begin, end;
    bool isMatch;
  };
  // The whole text as alternating gaps and matches (HF find_matches).
  std::vector<Span> spans;
  size_t last = 0;
  for (auto [begin, end] : matches) {
    if (last < begin)
      spans.push_back({last, begin, false});
    spans.push_back({begin, end, true});
    last = end;
  }
  if (last < piece.text.size() || spans.empty())
    spans.push_back({last, piece.text.size(), false});
  if (invert)
    for (Span &span : spans)
      span.isMatch = !span.isMatch;

  // (span, remove) pairs per behavior.
  std::vector<std::pair<Span, bool>> splits;
  switch (behavior) {
  case SplitBehavior::Isolated:
    for (const Span &span : spans)
      splits.push_back({span, false});
    break;
  case SplitBehavior::Removed:
    for (const Span &span : spans)
      splits.push_back({span, span.isMatch});
    break;
  case SplitBehavior::Contiguous: {
    bool previous = false;
    for (const Span &span : spans) {
      if (span.isMatch == previous && !splits.empty())
        splits.back().first.end = span.end;
      else
        splits.push_back({span, false});
      previous = span.isMatch;
    }
    break;
  }
  case SplitBehavior::MergedWithPrevious: {
    bool previous = false;
    for (const Span &span : spans) {
      if (span.isMatch && !previous && !splits.empty())
        splits.back().first.end = span.end;
      else
        splits.push_back({span, false});
      previous = span.isMatch;
    }
    break;
  }
  case SplitBehavior::MergedWithNext: {
    bool previous = false;
    for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
      if (it->isMatch && !previous && !splits.empty())
        splits.back().first.begin = it->begin;
      else
        splits.push_back({*it, false});
      previous = it->isMatch;
    }
    std::reverse(splits.begin(), splits.end());
    break;
  }
  }
  for (const auto &[span, remove] : splits) {
    if (remove || span.end == span.begin)
      continue;
    out.push_back({piece.text.substr(span.begin, span.end - span.begin),
                   piece.atStart && span.begin == 0});
  }
}

namespace {

/// Each character satisfying `predicate` as a match of its own.
template <typename Predicate>
std::vector<std::pair<size_t, size_t>> charMatches(std::string_view text,
                                                   Predicate predicate) {
  std::vector<std::pair<size_t, size_t>> matches;
  for (size_t pos = 0; pos < text.size();) {
    size_t begin = pos;
    if (predicate(nextCodePoint(text, pos)))
      matches.emplace_back(begin, pos);
  }
  return matches;
}

/// Applies `split` to every piece.
template <typename SplitFn>
void splitEach(std::vector<Piece> &pieces, SplitFn split) {
  std::vector<Piece> out;
  out.reserve(pieces.size());
  for (const Piece &piece : pieces)
    split(piece, out);
  pieces = std::move(out);
}

//===----------------------------------------------------------------------===//
// ByteLevel
//===----------------------------------------------------------------------===//

/// GPT-2's bytes_to_unicode table.
const std::array<char32_t, 256> &byteTable() {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> t{};
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) ||
                       (b >= 0xAE && b <= 0xFF);
      t[b] = printable ? static_cast<char32_t>(b) : next++;
    }
    return t;
  }();
  return table;
}

constexpr const char *kGpt2Pattern =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|"
    "\\s+(?!\\S)|\\s+";

class ByteLevelPreTokenizer : public PreTokenizer {
public:
  ByteLevelPreTokenizer(bool addPrefixSpace, std::shared_ptr<const Regex> regex)
      : addPrefixSpace(addPrefixSpace), regex(std::move(regex)) {}

  void preTokenize(std::vector<Piece> &pieces) const override {
    splitEach(pieces, [&](const Piece &piece, std::vector<Piece> &out) {
      Piece prefixed = piece;
      if (addPrefixSpace && (prefixed.text.empty() || prefixed.text[0] != ' '))
        prefixed.text.insert(0, " ");
      if (!regex) {
        out.push_back(std::move(prefixed));
        return;
      }
      splitPiece(prefixed, regex->findAll(prefixed.text),
                 SplitBehavior::Isolated, false, out);
    });
    for (Piece &piece : pieces) {
      std::string mapped;
      mapped.reserve(piece.text.size() * 2);
      for (unsigned char byte : piece.text)
        appendUtf8(mapped, byteTable()[byte]);
      piece.text = std::move(mapped);
    }
  }

private:
  bool addPrefixSpace;
  std::shared_ptr<const Regex> regex;
};

//===----------------------------------------------------------------------===//
// Split, Metaspace, Bert, Whitespace
//===----------------------------------------------------------------------===//

class SplitPreTokenizer : public PreTokenizer {
public:
  SplitPreTokenizer(Pattern pattern, SplitBehavior behavior, bool invert)
      : pattern(std::move(pattern)), behavior(behavior), invert(invert) {}
  void preTokenize(std::vector<Piece> &pieces) const override {
    splitEach(pieces, [&](const Piece &piece, std::vector<Piece> &out) {
      splitPiece(piece, pattern.findAll(piece.text), behavior, invert, out);
    });
  }

private:
  Pattern pattern;
  SplitBehavior behavior;
  bool invert;
};

enum class PrependScheme { Always, First, Never };

class MetaspacePreTokenizer : public PreTokenizer {
public:
  MetaspacePreTokenizer(std::string replacement, PrependScheme scheme,
                        bool split)
      : replacement(std::move(replacement)), scheme(scheme), split(split) {}
  void preTokenize(std::vector<Piece> &pieces) const override {
    Pattern space{" ", nullptr};
    Pattern marker{replacement, nullptr};
    splitEach(pieces, [&](const Piece &piece, std::vector<Piece> &out) {
      Piece replaced{replaceAll(piece.text, space, replacement), piece.atStart};
      bool startsWith =
          replaced.text.compare(0, replacement.size(), replacement) == 0;
      if (!startsWith && (scheme == PrependScheme::Always ||
                          (scheme == PrependScheme::First && piece.atStart)))
        replaced.text.insert(0, replacement);
      if (!split) {
        if (!replaced.text.empty())
          out.push_back(std::move(replaced));
        return;
      }
      splitPiece(replaced, marker.findAll(replaced.text),
                 SplitBehavior::MergedWithNext, false, out);
    });
  }

private:
  std::string replacement;
  PrependScheme scheme;
  bool split;
};

class BertPreTokenizer : public PreTokenizer {
public:
  void preTokenize(std::vector<Piece> &pieces) const override {
    splitEach(pieces, [](const Piece &piece, std::vector<Piece> &out) {
      splitPiece(piece, charMatches(piece.text, isWhitespace),
                 SplitBehavior::Removed, false, out);
    });
    splitEach(pieces, [](const Piece &piece, std::vector<Piece> &out) {
      splitPiece(piece, charMatches(piece.text, isBertPunctuation),
                 SplitBehavior::Isolated, false, out);
    });
  }
};

class WhitespaceSplitPreTokenizer : public PreTokenizer {
public:
  void preTokenize(std::vector<Piece> &pieces) const override {
    splitEach(pieces, [](const Piece &piece, std::vector<Piece> &out) {
      splitPiece(piece, charMatches(piece.text, isWhitespace),
                 SplitBehavior::Removed, false, out);
    });
  }
};

class SequencePreTokenizer : public PreTokenizer {
public:
  explicit SequencePreTokenizer(
      std::vector<std::unique_ptr<PreTokenizer>> parts)
      : parts(std::move(parts)) {}
  void preTokenize(std::vector<Piece> &pieces) const override {
    for (const auto &part : parts)
      part->preTokenize(pieces);
  }

private:
  std::vector<std::unique_ptr<PreTokenizer>> parts;
};

StatusOr<SplitBehavior> parseBehavior(const std::string &name) {
  if (name == "Removed")
    return SplitBehavior::Removed;
  if (name == "Isolated")
    return SplitBehavior::Isolated;
  if (name == "MergedWithPrevious")
    return SplitBehavior::MergedWithPrevious;
  if (name == "MergedWithNext")
    return SplitBehavior::MergedWithNext;
  if (name == "Contiguous")
    return SplitBehavior::Contiguous;
  return Status::error("pre_tokenizer Split: unknown behavior '" + name + "'");
}

/// Metaspace's prepend_scheme, or the older add_prefix_space flag.
PrependScheme parsePrependScheme(const Json &json) {
  auto it = json.find("prepend_scheme");
  if (it != json.end() && it->is_string()) {
    std::string scheme = it->get<std::string>();
    if (scheme == "first")
      return PrependScheme::First;
    if (scheme == "never")
      return PrependScheme::Never;
    return PrependScheme::Always;
  }
  return json.value("add_prefix_space", true) ? PrependScheme::Always
                                              : PrependScheme::Never;
}

} // namespace

char32_t tok::byteToUnicode(uint8_t byte) { return byteTable()[byte]; }

int tok::unicodeToByte(char32_t cp) {
  static const std::array<int, 512> inverse = [] {
    std::array<int, 512> t;
    t.fill(-1);
    for (int b = 0; b < 256; ++b)
      t[byteTable()[b]] = b;
    return t;
  }();
  return cp < inverse.size() ? inverse[cp] : -1;
}

StatusOr<std::unique_ptr<PreTokenizer>>
tok::parsePreTokenizer(const Json &json) {
  if (json.is_null())
    return std::unique_ptr<PreTokenizer>();
  std::string type = json.value("type", "");
  if (type == "ByteLevel") {
    std::shared_ptr<const Regex> regex;
    if (json.value("use_regex", true)) {
      StatusOr<std::shared_ptr<const Regex>> compiled =
          Regex::compile(kGpt2Pattern);
      if (!compiled.ok())
        return compiled.status();
      regex = *compiled;
    }
    return std::unique_ptr<PreTokenizer>(new ByteLevelPreTokenizer(
        json.value("add_prefix_space", true), std::move(regex)));
  }
  if (type == "Split") {
    StatusOr<Pattern> pattern =
        parsePattern(json.at("pattern"), "pre_tokenizer Split");
    if (!pattern.ok())
      return pattern.status();
    StatusOr<SplitBehavior> behavior =
        parseBehavior(json.at("behavior").get<std::string>());
    if (!behavior.ok())
      return behavior.status();
    return std::unique_ptr<PreTokenizer>(new SplitPreTokenizer(
        std::move(*pattern), *behavior, json.value("invert", false)));
  }
  if (type == "Metaspace")
    return std::unique_ptr<PreTokenizer>(new MetaspacePreTokenizer(
        json.value("replacement", std::string("\xE2\x96\x81")),
        parsePrependScheme(json), json.value("split", true)));
  if (type == "BertPreTokenizer")
    return std::unique_ptr<PreTokenizer>(new BertPreTokenizer());
  if (type == "WhitespaceSplit")
    return std::unique_ptr<PreTokenizer>(new WhitespaceSplitPreTokenizer());
  if (type == "Whitespace") {
    StatusOr<std::shared_ptr<const Regex>> regex =
        Regex::compile("\\w+|[^\\w\\s]+");
    if (!regex.ok())
      return regex.status();
    Pattern pattern;
    pattern.regex = *regex;
    return std::unique_ptr<PreTokenizer>(new SplitPreTokenizer(
        std::move(pattern), SplitBehavior::Removed, /*invert=*/true));
  }
  if (type == "Sequence") {
    std::vector<std::unique_ptr<PreTokenizer>> parts;
    for (const Json &part : json.at("pretokenizers")) {
      StatusOr<std::unique_ptr<PreTokenizer>> parsed = parsePreTokenizer(part);
      if (!parsed.ok())
        return parsed.status();
      if (*parsed)
        parts.push_back(std::move(*parsed));
    }
    return std::unique_ptr<PreTokenizer>(
        new SequencePreTokenizer(std::move(parts)));
  }
  return Status::error("pre_tokenizer type '" + type + "' is not supported");
}
