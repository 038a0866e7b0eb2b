//===- Normalizers.cpp - tokenizer.json normalizers -----------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// NFC/NFD/NFKC/NFKD, Lowercase, StripAccents, Strip, Prepend, Replace,
// BertNormalizer and Sequence, as HF `tokenizers` defines them.
//
//===----------------------------------------------------------------------===//

#include "TokenizerImpl.h"

#include <nlohmann/json.hpp>

using namespace tokamak::rt;
using namespace tokamak::rt::tok;

Normalizer::~Normalizer() = default;

namespace {

class UnicodeNormalizer : public Normalizer {
public:
  explicit UnicodeNormalizer(NormalForm form) : form(form) {}
  std::string normalize(std::string text) const override {
    return normalizeUnicode(text, form);
  }

private:
  NormalForm form;
};

class LowercaseNormalizer : public Normalizer {
public:
  std::string normalize(std::string text) const override {
    return lowercase(text);
  }
};

/// `text` without the characters `isMark` accepts (meant to follow NFD).
std::string stripMarks(std::string_view text, bool (*isMark)(char32_t)) {
  std::string out;
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp = nextCodePoint(text, pos);
    if (!isMark(cp))
      appendUtf8(out, cp);
  }
  return out;
}

class StripAccentsNormalizer : public Normalizer {
public:
  std::string normalize(std::string text) const override {
    return stripMarks(text, isCombiningMark);
  }
};

class StripNormalizer : public Normalizer {
public:
  StripNormalizer(bool left, bool right) : left(left), right(right) {}
  std::string normalize(std::string text) const override {
    size_t begin = 0, end = text.size();
    if (left) {
      for (size_t pos = 0; pos < text.size();) {
        size_t at = pos;
        if (!isWhitespace(nextCodePoint(text, pos))) {
          begin = at;
          break;
        }
        begin = pos;
      }
    }
    if (right) {
      // Walk back over whitespace characters.
      while (end > begin) {
        size_t start = end - 1;
        while (start > begin &&
               (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
          --start;
        size_t pos = start;
        if (!isWhitespace(nextCodePoint(text, pos)))
          break;
        end = start;
      }
    }
    return text.substr(begin, end - begin);
  }

private:
  bool left, right;
};

class PrependNormalizer : public Normalizer {
public:
  explicit PrependNormalizer(std::string prefix) : prefix(std::move(prefix)) {}
  std::string normalize(std::string text) const override {
    return text.empty() ? text : prefix + text;
  }

private:
  std::string prefix;
};

class ReplaceNormalizer : public Normalizer {
public:
  ReplaceNormalizer(Pattern pattern, std::string content)
      : pattern(std::move(pattern)), content(std::move(content)) {}
  std::string normalize(std::string text) const override {
    return replaceAll(text, pattern, content);
  }

private:
  Pattern pattern;
  std::string content;
};

bool isChineseChar(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

class BertNormalizer : public Normalizer {
public:
  BertNormalizer(bool cleanText, bool chineseChars, bool stripAccents,
                 bool lower)
      : cleanText(cleanText), chineseChars(chineseChars),
        stripAccents(stripAccents), lower(lower) {}

  std::string normalize(std::string text) const override {
    if (cleanText || chineseChars) {
      std::string out;
      out.reserve(text.size());
      for (size_t pos = 0; pos < text.size();) {
        char32_t cp = nextCodePoint(text, pos);
        if (cleanText) {
          bool keepControl = cp == '\t' || cp == '\n' || cp == '\r';
          if (cp == 0 || cp == 0xFFFD || (!keepControl && isBertControl(cp)))
            continue;
          if (isWhitespace(cp))
            cp = ' ';
        }
        if (chineseChars && isChineseChar(cp)) {
          out += ' ';
          appendUtf8(out, cp);
          out += ' ';
          continue;
        }
        appendUtf8(out, cp);
      }
      text = std::move(out);
    }
    if (stripAccents)
      text = stripMarks(normalizeUnicode(text, NormalForm::NFD),
                        isBertNonspacingMark);
    if (lower)
      text = lowercase(text);
    return text;
  }

private:
  bool cleanText, chineseChars, stripAccents, lower;
};

class SequenceNormalizer : public Normalizer {
public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> parts)
      : parts(std::move(parts)) {}
  std::string normalize(std::string text) const override {
    for (const auto &part : parts)
      text = part->normalize(std::move(text));
    return text;
  }

private:
  std::vector<std::unique_ptr<Normalizer>> parts;
};

bool boolField(const Json &json, const char *key, bool fallback) {
  auto it = json.find(key);
  return it != json.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

} // namespace

StatusOr<std::unique_ptr<Normalizer>> tok::parseNormalizer(const Json &json) {
  if (json.is_null())
    return std::unique_ptr<Normalizer>();
  std::string type = json.value("type", "");
  if (type == "NFC")
    return std::unique_ptr<Normalizer>(new UnicodeNormalizer(NormalForm::NFC));
  if (type == "NFD")
    return std::unique_ptr<Normalizer>(new UnicodeNormalizer(NormalForm::NFD));
  if (type == "NFKC")
    return std::unique_ptr<Normalizer>(new UnicodeNormalizer(NormalForm::NFKC));
  if (type == "NFKD")
    return std::unique_ptr<Normalizer>(new UnicodeNormalizer(NormalForm::NFKD));
  if (type == "Lowercase")
    return std::unique_ptr<Normalizer>(new LowercaseNormalizer());
  if (type == "StripAccents")
    return std::unique_ptr<Normalizer>(new StripAccentsNormalizer());
  if (type == "Strip")
    return std::unique_ptr<Normalizer>(
        new StripNormalizer(boolField(json, "strip_left", true),
                            boolField(json, "strip_right", true)));
  if (type == "Prepend")
    return std::unique_ptr<Normalizer>(
        new PrependNormalizer(json.at("prepend").get<std::string>()));
  if (type == "Replace") {
    StatusOr<Pattern> pattern =
        parsePattern(json.at("pattern"), "normalizer Replace");
    if (!pattern.ok())
      return pattern.status();
    return std::unique_ptr<Normalizer>(new ReplaceNormalizer(
        std::move(*pattern), json.at("content").get<std::string>()));
  }
  if (type == "BertNormalizer") {
    bool lower = boolField(json, "lowercase", true);
    return std::unique_ptr<Normalizer>(
        new BertNormalizer(boolField(json, "clean_text", true),
                           boolField(json, "handle_chinese_chars", true),
                           boolField(json, "strip_accents", lower), lower));
  }
  if (type == "Sequence") {
    std::vector<std::unique_ptr<Normalizer>> parts;
    for (const Json &part : json.at("normalizers")) {
      StatusOr<std::unique_ptr<Normalizer>> parsed = parseNormalizer(part);
      if (!parsed.ok())
        return parsed.status();
      if (*parsed)
        parts.push_back(std::move(*parsed));
    }
    return std::unique_ptr<Normalizer>(
        new SequenceNormalizer(std::move(parts)));
  }
  return Status::error("normalizer type '" + type + "' is not supported");
}
