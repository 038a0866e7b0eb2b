//===- Unicode.cpp - UTF-8, Unicode properties and regexes ----------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// UTF-8 coding, the Unicode properties and normal forms the normalizers
// need (through utf8proc), and the PCRE2 regexes of Split/Replace patterns.
// HF compiles those with Oniguruma; the pattern syntax they use (\p{L},
// \p{N}, (?!\S), (?i:...)) means the same in PCRE2 with UTF and UCP, except
// that Oniguruma's \s also matches U+0085, so \s and \S are rewritten.
//
//===----------------------------------------------------------------------===//

#include "TokenizerImpl.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <nlohmann/json.hpp>
#include <pcre2.h>
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>

using namespace tokamak::rt;
using namespace tokamak::rt::tok;

//===----------------------------------------------------------------------===//
// UTF-8
//===----------------------------------------------------------------------===//

namespace {

/// The length of the valid UTF-8 sequence at `text[pos]`, or 0 when invalid;
/// `valid` receives the length of the longest valid prefix of a bad one
/// (its "maximal subpart", at least 1).
size_t utf8SequenceLength(std::string_view text, size_t pos, size_t &prefix) {
  auto byte = [&](size_t i) -> unsigned {
    return static_cast<unsigned char>(text[i]);
  };
  unsigned b0 = byte(pos);
  prefix = 1;
  if (b0 < 0x80)
    return 1;
  size_t need;
  unsigned lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0)
      lo = 0xA0;
    else if (b0 == 0xED)
      hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0)
      lo = 0x90;
    else if (b0 == 0xF4)
      hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t i = 1; i <= need; ++i) {
    if (pos + i >= text.size())
      return 0;
    unsigned b = byte(pos + i);
    unsigned l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
    if (b < l || b > h)
      return 0;
    prefix = i + 1;
  }
  return need + 1;
}

} // namespace

size_t tok::findInvalidUtf8(std::string_view text) {
  size_t prefix;
  for (size_t pos = 0; pos < text.size();) {
    size_t len = utf8SequenceLength(text, pos, prefix);
    if (len == 0)
      return pos;
    pos += len;
  }
  return std::string_view::npos;
}

char32_t tok::nextCodePoint(std::string_view text, size_t &pos) {
  unsigned b0 = static_cast<unsigned char>(text[pos]);
  size_t len = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
  char32_t cp = len == 1   ? b0
                : len == 2 ? b0 & 0x1F
                : len == 3 ? b0 & 0x0F
                           : b0 & 0x07;
  for (size_t i = 1; i < len && pos + i < text.size(); ++i)
    cp = (cp << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
  pos += len;
  return cp;
}

void tok::appendUtf8(std::string &out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string tok::utf8Lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t prefix;
  for (size_t pos = 0; pos < bytes.size();) {
    size_t len = utf8SequenceLength(bytes, pos, prefix);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      pos += prefix;
      continue;
    }
    out.append(bytes.substr(pos, len));
    pos += len;
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Properties
//===----------------------------------------------------------------------===//

bool tok::isWhitespace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool tok::isAlphanumeric(char32_t cp) {
  utf8proc_category_t cat = utf8proc_category(static_cast<int32_t>(cp));
  return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
         (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

namespace {

struct CodePointRange {
  char32_t first, last;
};

#include "BertTables.inc"

template <size_t N>
bool inRanges(const CodePointRange (&ranges)[N], char32_t cp) {
  const CodePointRange *it =
      std::upper_bound(std::begin(ranges), std::end(ranges), cp,
                       [](char32_t value, const CodePointRange &range) {
                         return value < range.first;
                       });
  return it != std::begin(ranges) && cp <= (it - 1)->last;
}

} // namespace

bool tok::isBertPunctuation(char32_t cp) {
  return inRanges(kBertPunctuation, cp);
}

bool tok::isBertControl(char32_t cp) { return inRanges(kBertControl, cp); }

bool tok::isBertNonspacingMark(char32_t cp) {
  return inRanges(kBertNonspacingMark, cp);
}

bool tok::isCombiningMark(char32_t cp) {
  utf8proc_category_t cat = utf8proc_category(static_cast<int32_t>(cp));
  return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
         cat == UTF8PROC_CATEGORY_ME;
}

std::string tok::normalizeUnicode(std::string_view text, NormalForm form) {
  int options = UTF8PROC_STABLE;
  switch (form) {
  case NormalForm::NFC:
    options |= UTF8PROC_COMPOSE;
    break;
  case NormalForm::NFD:
    options |= UTF8PROC_DECOMPOSE;
    break;
  case NormalForm::NFKC:
    options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
    break;
  case NormalForm::NFKD:
    options |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT;
    break;
  }
  utf8proc_uint8_t *out = nullptr;
  utf8proc_ssize_t len =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t *>(text.data()),
                   static_cast<utf8proc_ssize_t>(text.size()), &out,
                   static_cast<utf8proc_option_t>(options));
  if (len < 0) // Only on invalid UTF-8, which callers rule out.
    return std::string(text);
  std::string result(reinterpret_cast<const char *>(out),
                     static_cast<size_t>(len));
  std::free(out);
  return result;
}

std::string tok::lowercase(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp = nextCodePoint(text, pos);
    if (cp == 0x130) { // The one unconditional multi-character mapping.
      out += "i\xCC\x87";
      continue;
    }
    appendUtf8(
        out, static_cast<char32_t>(utf8proc_tolower(static_cast<int32_t>(cp))));
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Regexes and patterns
//===----------------------------------------------------------------------===//

namespace {

/// Oniguruma's \s: U+0009-U+000D, U+0085 and the Z categories.
constexpr const char *kOnigSpaceClass = "\\t-\\r\\x{85}\\p{Z}";

/// `pattern` with \s and \S spelled as Oniguruma means them.
std::string translateOnigPattern(std::string_view pattern) {
  std::string out;
  bool inClass = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char next = pattern[++i];
      if (next == 's') {
        out += inClass ? std::string(kOnigSpaceClass)
                       : "[" + std::string(kOnigSpaceClass) + "]";
      } else if (next == 'S' && !inClass) {
        out += "[^" + std::string(kOnigSpaceClass) + "]";
      } else {
        out += c;
        out += next;
      }
      continue;
    }
    if (c == '[' && !inClass) {
      inClass = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^')
        out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']')
        out += pattern[++i];
      continue;
    }
    if (c == ']' && inClass)
      inClass = false;
    out += c;
  }
  return out;
}

} // namespace

StatusOr<std::shared_ptr<const Regex>>
Regex::compile(std::string_view pattern) {
  std::string translated = translateOnigPattern(pattern);
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code *code = pcre2_compile(
      reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
      PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
  if (!code) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(error, buffer, sizeof(buffer));
    return Status::error("bad regex '" + std::string(pattern) + "' at offset " +
                         std::to_string(offset) + ": " +
                         reinterpret_cast<const char *>(buffer));
  }
  // JIT is an optimization: matching falls back to the interpreter.
  (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  std::shared_ptr<Regex> regex(new Regex());
  regex->code = code;
  return std::shared_ptr<const Regex>(std::move(regex));
}

Regex::~Regex() { pcre2_code_free(static_cast<pcre2_code *>(code)); }

std::vector<std::pair<size_t, size_t>>
Regex::findAll(std::string_view text) const {
  std::vector<std::pair<size_t, size_t>> matches;
  auto *re = static_cast<pcre2_code *>(code);
  pcre2_match_data *data = pcre2_match_data_create_from_pattern(re, nullptr);
  size_t start = 0;
  while (start <= text.size()) {
    int rc = pcre2_match(re, reinterpret_cast<PCRE2_SPTR>(text.data()),
                         text.size(), start, PCRE2_NO_UTF_CHECK, data, nullptr);
    if (rc < 0)
      break;
    PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(data);
    size_t begin = ovector[0], end = ovector[1];
    if (end > begin) {
      matches.emplace_back(begin, end);
      start = end;
      continue;
    }
    // An empty match: move on by one character.
    if (begin >= text.size())
      break;
    size_t next = begin;
    nextCodePoint(text, next);
    start = next;
  }
  pcre2_match_data_free(data);
  return matches;
}

std::vector<std::pair<size_t, size_t>>
Pattern::findAll(std::string_view text) const {
  if (regex)
    return regex->findAll(text);
  std::vector<std::pair<size_t, size_t>> matches;
  if (literal.empty())
    return matches;
  for (size_t pos = text.find(literal); pos != std::string_view::npos;
       pos = text.find(literal, pos + literal.size()))
    matches.emplace_back(pos, pos + literal.size());
  return matches;
}

StatusOr<Pattern> tok::parsePattern(const Json &json, std::string_view owner) {
  Pattern pattern;
  if (json.is_object() && json.contains("String") &&
      json["String"].is_string()) {
    pattern.literal = json["String"].get<std::string>();
    return pattern;
  }
  if (json.is_object() && json.contains("Regex") && json["Regex"].is_string()) {
    StatusOr<std::shared_ptr<const Regex>> regex =
        Regex::compile(json["Regex"].get<std::string>());
    if (!regex.ok())
      return regex.status().withContext(owner);
    pattern.regex = *regex;
    return pattern;
  }
  return Status::error(std::string(owner) +
                       ": pattern must be {\"String\": ...} or "
                       "{\"Regex\": ...}");
}

std::string tok::replaceAll(std::string_view text, const Pattern &pattern,
                            std::string_view content) {
  std::string out;
  size_t last = 0;
  for (auto [begin, end] : pattern.findAll(text)) {
    out.append(text.substr(last, begin - last));
    out.append(content);
    last = end;
  }
  out.append(text.substr(last));
  return out;
}
