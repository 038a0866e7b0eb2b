//===- Decoders.cpp - tokenizer.json decoders -----------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// ByteLevel, Replace, ByteFallback, Fuse, Strip, WordPiece, Metaspace and
// Sequence decoders, each a rewrite of the token list as HF's decode_chain.
//
//===----------------------------------------------------------------------===//

#include "TokenizerImpl.h"

#include <nlohmann/json.hpp>

using namespace tokamak::rt;
using namespace tokamak::rt::tok;

Decoder::~Decoder() = default;

namespace {

class ByteLevelDecoder : public Decoder {
public:
  void decodeChain(std::vector<std::string> &tokens) const override {
    std::string bytes;
    for (const std::string &token : tokens) {
      // A token with any character outside the byte alphabet (an added
      // token, say) is taken as its own UTF-8 bytes.
      std::string mapped;
      bool all = true;
      for (size_t pos = 0; pos < token.size() && all;) {
        int byte = unicodeToByte(nextCodePoint(token, pos));
        all = byte >= 0;
        mapped += static_cast<char>(byte);
      }
      bytes += all ? mapped : token;
    }
    tokens.assign(1, utf8Lossy(bytes));
  }
};

class ReplaceDecoder : public Decoder {
public:
  ReplaceDecoder(Pattern pattern, std::string content)
      : pattern(std::move(pattern)), content(std::move(content)) {}
  void decodeChain(std::vector<std::string> &tokens) const override {
    for (std::string &token : tokens)
      token = replaceAll(token, pattern, content);
  }

private:
  Pattern pattern;
  std::string content;
};

/// The byte of a "<0xNN>" token, or -1.
int byteToken(const std::string &token) {
  if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>')
    return -1;
  int value = 0;
  for (int i = 3; i < 5; ++i) {
    char c = token[static_cast<size_t>(i)];
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0)
      return -1;
    value = value * 16 + digit;
  }
  return value;
}

class ByteFallbackDecoder : public Decoder {
public:
  void decodeChain(std::vector<std::string> &tokens) const override {
    std::vector<std::string> out;
    std::string bytes;
    auto flush = [&] {
      if (bytes.empty())
        return;
      if (findInvalidUtf8(bytes) == std::string::npos)
        out.push_back(bytes);
      else
        for (size_t i = 0; i < bytes.size(); ++i)
          out.push_back("\xEF\xBF\xBD");
      bytes.clear();
    };
    for (std::string &token : tokens) {
      int byte = byteToken(token);
      if (byte >= 0) {
        bytes += static_cast<char>(byte);
        continue;
      }
      flush();
      out.push_back(std::move(token));
    }
    flush();
    tokens = std::move(out);
  }
};

class FuseDecoder : public Decoder {
public:
  void decodeChain(std::vector<std::string> &tokens) const override {
    std::string all;
    for (const std::string &token : tokens)
      all += token;
    tokens.assign(1, std::move(all));
  }
};

class StripDecoder : public Decoder {
public:
  StripDecoder(std::string content, size_t start, size_t stop)
      : content(std::move(content)), start(start), stop(stop) {}
  void decodeChain(std::vector<std::string> &tokens) const override {
    for (std::string &token : tokens) {
      size_t begin = 0, end = token.size();
      for (size_t i = 0; i < start && !content.empty() &&
                         token.compare(begin, content.size(), content) == 0;
           ++i)
        begin += content.size();
      for (size_t i = 0;
           i < stop && !content.empty() && end >= begin + content.size() &&
           token.compare(end - content.size(), content.size(), content) == 0;
           ++i)
        end -= content.size();
      token = token.substr(begin, end - begin);
    }
  }

private:
  std::string content;
  size_t start, stop;
};

/// HF's WordPiece cleanup of spaces before punctuation and contractions.
std::string cleanup(std::string text) {
  static const std::pair<const char *, const char *> kRules[] = {
      {" .", "."},   {" ?", "?"},     {" !", "!"},    {" ,", ","},
      {" ' ", "'"},  {" n't", "n't"}, {" 'm", "'m"},  {" do not", " don't"},
      {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto &[from, to] : kRules) {
    Pattern pattern{from, nullptr};
    text = replaceAll(text, pattern, to);
  }
  return text;
}

class WordPieceDecoder : public Decoder {
public:
  WordPieceDecoder(std::string prefix, bool doCleanup)
      : prefix(std::move(prefix)), doCleanup(doCleanup) {}
  void decodeChain(std::vector<std::string> &tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string &token = tokens[i];
      if (i != 0) {
        // An empty prefix matches every token, as in HF.
        if (token.compare(0, prefix.size(), prefix) == 0)
          token.erase(0, prefix.size());
        else
          token.insert(0, " ");
      }
      if (doCleanup)
        token = cleanup(std::move(token));
    }
  }

private:
  std::string prefix;
  bool doCleanup;
};

class MetaspaceDecoder : public Decoder {
public:
  MetaspaceDecoder(std::string replacement, bool prepend)
      : replacement(std::move(replacement)), prepend(prepend) {}
  void decodeChain(std::vector<std::string> &tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      const std::string &token = tokens[i];
      for (size_t pos = 0; pos < token.size();) {
        if (!replacement.empty() &&
            token.compare(pos, replacement.size(), replacement) == 0) {
          pos += replacement.size();
          if (!(i == 0 && prepend))
            out += ' ';
          continue;
        }
        size_t begin = pos;
        nextCodePoint(token, pos);
        out.append(token, begin, pos - begin);
      }
      tokens[i] = std::move(out);
    }
  }

private:
  std::string replacement;
  bool prepend;
};

class SequenceDecoder : public Decoder {
public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> parts)
      : parts(std::move(parts)) {}
  void decodeChain(std::vector<std::string> &tokens) const override {
    for (const auto &part : parts)
      part->decodeChain(tokens);
  }

private:
  std::vector<std::unique_ptr<Decoder>> parts;
};

} // namespace

StatusOr<std::unique_ptr<Decoder>> tok::parseDecoder(const Json &json) {
  if (json.is_null())
    return std::unique_ptr<Decoder>();
  std::string type = json.value("type", "");
  if (type == "ByteLevel")
    return std::unique_ptr<Decoder>(new ByteLevelDecoder());
  if (type == "Replace") {
    StatusOr<Pattern> pattern =
        parsePattern(json.at("pattern"), "decoder Replace");
    if (!pattern.ok())
      return pattern.status();
    return std::unique_ptr<Decoder>(new ReplaceDecoder(
        std::move(*pattern), json.at("content").get<std::string>()));
  }
  if (type == "ByteFallback")
    return std::unique_ptr<Decoder>(new ByteFallbackDecoder());
  if (type == "Fuse")
    return std::unique_ptr<Decoder>(new FuseDecoder());
  if (type == "Strip")
    return std::unique_ptr<Decoder>(new StripDecoder(
        json.at("content").get<std::string>(), json.value("start", size_t(0)),
        json.value("stop", size_t(0))));
  if (type == "WordPiece")
    return std::unique_ptr<Decoder>(new WordPieceDecoder(
        json.value("prefix", std::string("##")), json.value("cleanup", true)));
  if (type == "Metaspace") {
    bool prepend = true;
    auto scheme = json.find("prepend_scheme");
    if (scheme != json.end() && scheme->is_string())
      prepend = scheme->get<std::string>() != "never";
    else
      prepend = json.value("add_prefix_space", true);
    return std::unique_ptr<Decoder>(new MetaspaceDecoder(
        json.value("replacement", std::string("\xE2\x96\x81")), prepend));
  }
  if (type == "Sequence") {
    std::vector<std::unique_ptr<Decoder>> parts;
    for (const Json &part : json.at("decoders")) {
      StatusOr<std::unique_ptr<Decoder>> parsed = parseDecoder(part);
      if (!parsed.ok())
        return parsed.status();
      if (*parsed)
        parts.push_back(std::move(*parsed));
    }
    return std::unique_ptr<Decoder>(new SequenceDecoder(std::move(parts)));
  }
  return Status::error("decoder type '" + type + "' is not supported");
}
