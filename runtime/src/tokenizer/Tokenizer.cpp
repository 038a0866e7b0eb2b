//===- Tokenizer.cpp - Tokenizer loading and streaming decode -------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Picks the tokenizer file of a model directory, finds BOS/EOS (from
// tokenizer_config.json, else from well-known token names), and implements
// the streaming detokenizer on top of decode() the way HF's DecodeStream
// does: each step decodes the ids since the last emitted prefix and emits
// what follows that prefix, unless the text ends in U+FFFD (an incomplete
// UTF-8 sequence, completed by a later id).
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Tokenizer.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <sys/stat.h>

using namespace tokamak::rt;

namespace {

bool isFile(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

/// The token named by tokenizer_config.json's `key` ("<s>" or
/// {"content": "<s>", ...}).
std::optional<std::string> configToken(const nlohmann::json &config,
                                       const char *key) {
  auto it = config.find(key);
  if (it == config.end())
    return std::nullopt;
  if (it->is_string())
    return it->get<std::string>();
  if (it->is_object() && it->contains("content") &&
      (*it)["content"].is_string())
    return (*it)["content"].get<std::string>();
  return std::nullopt;
}

/// Sets BOS/EOS from `modelDir`/tokenizer_config.json, else from the first
/// well-known token name the tokenizer has.
void findBosEos(Tokenizer &tokenizer, const std::string &modelDir) {
  std::optional<std::string> bos, eos;
  std::ifstream in(modelDir + "/tokenizer_config.json");
  if (in) {
    std::stringstream buffer;
    buffer << in.rdbuf();
    nlohmann::json config = nlohmann::json::parse(buffer.str(), nullptr,
                                                  /*allow_exceptions=*/false);
    if (config.is_object()) {
      bos = configToken(config, "bos_token");
      eos = configToken(config, "eos_token");
    }
  }
  auto pick = [&](const std::optional<std::string> &configured,
                  std::initializer_list<const char *> names,
                  std::optional<int32_t> fallback) -> std::optional<int32_t> {
    if (configured)
      if (std::optional<int32_t> id = tokenizer.tokenToId(*configured))
        return id;
    if (fallback)
      return fallback;
    for (const char *name : names)
      if (std::optional<int32_t> id = tokenizer.tokenToId(name))
        return id;
    return std::nullopt;
  };
  tokenizer.setBosId(pick(bos, {"<|begin_of_text|>", "<s>", "<bos>", "[CLS]"},
                          tokenizer.bosId()));
  tokenizer.setEosId(
      pick(eos, {"<|end_of_text|>", "</s>", "<|endoftext|>", "<eos>", "[SEP]"},
           tokenizer.eosId()));
}

} // namespace

Tokenizer::~Tokenizer() = default;

StatusOr<std::unique_ptr<Tokenizer>>
Tokenizer::loadFromDirectory(const std::string &modelDir) {
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer =
      isFile(modelDir + "/tokenizer.json")
          ? loadJson(modelDir + "/tokenizer.json")
      : isFile(modelDir + "/tokenizer.model")
          ? loadSentencePiece(modelDir + "/tokenizer.model")
          : StatusOr<std::unique_ptr<Tokenizer>>(Status::error(
                modelDir +
                ": no tokenizer.json or tokenizer.model (use --prompt-ids)"));
  if (tokenizer.ok())
    findBosEos(**tokenizer, modelDir);
  return tokenizer;
}

//===----------------------------------------------------------------------===//
// Stream
//===----------------------------------------------------------------------===//

Tokenizer::Stream::Stream(const Tokenizer &tokenizer, bool skipSpecialTokens)
    : tokenizer(tokenizer), skipSpecialTokens(skipSpecialTokens) {}

StatusOr<std::string> Tokenizer::Stream::push(int32_t id) {
  ids.push_back(id);
  StatusOr<std::string> text = tokenizer.decode(ids, skipSpecialTokens);
  if (!text.ok()) {
    ids.pop_back();
    return text.status();
  }
  if (text->size() <= prefix.size() || endsWith(*text, kReplacementChar))
    return std::string();
  // The prefix decodes the same with more ids after it for every decoder
  // here; if it ever does not, emit the text past the common part.
  size_t common = 0;
  while (common < prefix.size() && (*text)[common] == prefix[common])
    ++common;
  std::string fresh = text->substr(common);
  ids.erase(ids.begin(), ids.begin() + static_cast<ptrdiff_t>(prefixIndex));
  StatusOr<std::string> newPrefix = tokenizer.decode(ids, skipSpecialTokens);
  if (!newPrefix.ok())
    return newPrefix.status();
  prefix = std::move(*newPrefix);
  prefixIndex = ids.size();
  return fresh;
}

StatusOr<std::string> Tokenizer::Stream::finish() {
  StatusOr<std::string> text = tokenizer.decode(ids, skipSpecialTokens);
  if (!text.ok())
    return text.status();
  std::string rest = text->size() > prefix.size() &&
                             text->compare(0, prefix.size(), prefix) == 0
                         ? text->substr(prefix.size())
                         : std::string();
  ids.clear();
  prefix.clear();
  prefixIndex = 0;
  return rest;
}
