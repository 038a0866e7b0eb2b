//===- JsonTokenizer.cpp - Hugging Face tokenizer.json --------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// The HF `tokenizers` pipeline read from tokenizer.json:
//
//   1. added tokens with normalized=false are cut out of the raw text
//      (leftmost-longest, honouring single_word, lstrip and rstrip);
//   2. each remaining segment is normalized, then added tokens with
//      normalized=true are cut out of it;
//   3. the pre-tokenizer splits the rest into pieces, the model turns each
//      piece into ids;
//   4. with special tokens requested, the post-processor adds them.
//
// Decoding maps ids to tokens (added tokens first), drops special tokens
// when asked, and runs the decoder; with no decoder the tokens are joined
// with spaces.
//
//===----------------------------------------------------------------------===//

#include "TokenizerImpl.h"
#include "tokamak/runtime/Tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unordered_map>

using namespace tokamak::rt;
using namespace tokamak::rt::tok;

namespace {

//===----------------------------------------------------------------------===//
// Added tokens
//===----------------------------------------------------------------------===//

struct AddedToken {
  std::string content;
  int32_t id = 0;
  bool special = false, singleWord = false, lstrip = false, rstrip = false,
       normalized = false;
};

/// A segment of the input: either text still to tokenize or an added token.
struct Segment {
  std::string text;
  int32_t addedId = -1;
  bool atStart = false;
};

bool isWordChar(char32_t cp) { return cp == '_' || isAlphanumeric(cp); }

/// Finds added tokens in text, as HF's AddedVocabulary::find_matches over a
/// leftmost-longest Aho-Corasick automaton.
class AddedTokenMatcher {
public:
  void add(std::string content, const AddedToken *token) {
    if (content.empty())
      return;
    entries.push_back({std::move(content), token, entries.size()});
  }

  /// Sorts the entries longest first within each first byte.
  void finish() {
    std::sort(entries.begin(), entries.end(),
              [](const Entry &a, const Entry &b) {
                if (a.content.size() != b.content.size())
                  return a.content.size() > b.content.size();
                return a.order < b.order;
              });
    for (auto &bucket : byFirstByte)
      bucket.clear();
    for (size_t i = 0; i < entries.size(); ++i)
      byFirstByte[static_cast<unsigned char>(entries[i].content[0])].push_back(
          i);
  }

  /// Splits `segment` into text and added-token segments, appending to `out`.
  void split(const Segment &segment, std::vector<Segment> &out) const {
    const std::string &text = segment.text;
    size_t startOffset = 0;
    auto pushText = [&](size_t begin, size_t end) {
      if (end > begin)
        out.push_back({text.substr(begin, end - begin), -1,
                       segment.atStart && begin == 0});
    };
    for (size_t pos = 0; pos < text.size();) {
      const Entry *found = nullptr;
      for (size_t index : byFirstByte[static_cast<unsigned char>(text[pos])]) {
        const Entry &entry = entries[index];
        if (text.compare(pos, entry.content.size(), entry.content) == 0) {
          found = &entry;
          break;
        }
      }
      if (!found) {
        ++pos;
        continue;
      }
      size_t start = pos, stop = pos + found->content.size();
      pos = stop;
      const AddedToken &token = *found->token;
      if (token.singleWord) {
        bool startSpace = start == 0 || !endsWithWordChar(text, start);
        bool stopSpace = stop == text.size() || !startsWithWordChar(text, stop);
        if (!startSpace || !stopSpace)
          continue;
      }
      if (token.lstrip)
        start = std::max(leftmostSpaceAtEnd(text, start), startOffset);
      if (token.rstrip) {
        while (stop < text.size()) {
          size_t next = stop;
          if (!isWhitespace(nextCodePoint(text, next)))
            break;
          stop = next;
        }
        pos = stop;
      }
      pushText(startOffset, start);
      out.push_back({std::string(), token.id, false});
      startOffset = stop;
    }
    pushText(startOffset, text.size());
  }

  bool empty() const { return entries.empty(); }

private:
  struct Entry {
    std::string content;
    const AddedToken *token;
    /// Position in added_tokens, to keep the sort stable.
    size_t order;
  };

  static bool endsWithWordChar(const std::string &text, size_t end) {
    size_t begin = end - 1;
    while (begin > 0 &&
           (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80)
      --begin;
    return isWordChar(nextCodePoint(text, begin));
  }
  static bool startsWithWordChar(const std::string &text, size_t begin) {
    return isWordChar(nextCodePoint(text, begin));
  }
  /// The start of the whitespace run that ends at `end`.
  static size_t leftmostSpaceAtEnd(const std::string &text, size_t end) {
    while (end > 0) {
      size_t begin = end - 1;
      while (begin > 0 &&
             (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80)
        --begin;
      size_t pos = begin;
      if (!isWhitespace(nextCodePoint(text, pos)))
        break;
      end = begin;
    }
    return end;
  }

  std::vector<Entry> entries;
  std::vector<size_t> byFirstByte[256];
};

//===----------------------------------------------------------------------===//
// Post-processors
//===----------------------------------------------------------------------===//

class PostProcessor {
public:
  virtual ~PostProcessor() = default;
  /// Adds the special tokens around `ids`.
  virtual void process(std::vector<int32_t> &ids) const = 0;
};

/// A fixed prefix and suffix: TemplateProcessing's single template,
/// RobertaProcessing and BertProcessing alike.
class AffixProcessor : public PostProcessor {
public:
  AffixProcessor(std::vector<int32_t> before, std::vector<int32_t> after)
      : before(std::move(before)), after(std::move(after)) {}
  void process(std::vector<int32_t> &ids) const override {
    ids.insert(ids.begin(), before.begin(), before.end());
    ids.insert(ids.end(), after.begin(), after.end());
  }

private:
  std::vector<int32_t> before, after;
};

class SequenceProcessor : public PostProcessor {
public:
  explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> parts)
      : parts(std::move(parts)) {}
  void process(std::vector<int32_t> &ids) const override {
    for (const auto &part : parts)
      part->process(ids);
  }

private:
  std::vector<std::unique_ptr<PostProcessor>> parts;
};

StatusOr<std::unique_ptr<PostProcessor>> parsePostProcessor(const Json &json) {
  if (json.is_null())
    return std::unique_ptr<PostProcessor>();
  std::string type = json.value("type", "");
  if (type == "ByteLevel")
    return std::unique_ptr<PostProcessor>();
  if (type == "RobertaProcessing" || type == "BertProcessing") {
    // "cls": ["<s>", 0], "sep": ["</s>", 2].
    int32_t cls = json.at("cls").at(1).get<int32_t>();
    int32_t sep = json.at("sep").at(1).get<int32_t>();
    return std::unique_ptr<PostProcessor>(new AffixProcessor({cls}, {sep}));
  }
  if (type == "TemplateProcessing") {
    const Json &specials = json.at("special_tokens");
    std::vector<int32_t> before, after;
    bool seenSequence = false;
    for (const Json &item : json.at("single")) {
      if (item.contains("Sequence")) {
        if (seenSequence)
          return Status::error(
              "post_processor TemplateProcessing: single template has two "
              "sequences");
        seenSequence = true;
        continue;
      }
      if (!item.contains("SpecialToken"))
        return Status::error("post_processor TemplateProcessing: bad template "
                             "item " +
                             item.dump());
      std::string name = item["SpecialToken"].at("id").get<std::string>();
      if (!specials.contains(name))
        return Status::error("post_processor TemplateProcessing: special "
                             "token '" +
                             name + "' has no ids");
      std::vector<int32_t> &target = seenSequence ? after : before;
      for (const Json &id : specials[name].at("ids"))
        target.push_back(id.get<int32_t>());
    }
    return std::unique_ptr<PostProcessor>(
        new AffixProcessor(std::move(before), std::move(after)));
  }
  if (type == "Sequence") {
    std::vector<std::unique_ptr<PostProcessor>> parts;
    for (const Json &part : json.at("processors")) {
      StatusOr<std::unique_ptr<PostProcessor>> parsed =
          parsePostProcessor(part);
      if (!parsed.ok())
        return parsed.status();
      if (*parsed)
        parts.push_back(std::move(*parsed));
    }
    return std::unique_ptr<PostProcessor>(
        new SequenceProcessor(std::move(parts)));
  }
  return Status::error("post_processor type '" + type + "' is not supported");
}

//===----------------------------------------------------------------------===//
// The tokenizer
//===----------------------------------------------------------------------===//

class JsonTokenizer : public Tokenizer {
public:
  StatusOr<std::vector<int32_t>> encode(std::string_view text,
                                        bool addSpecialTokens) const override;
  StatusOr<std::string> decode(const std::vector<int32_t> &ids,
                               bool skipSpecialTokens) const override;
  int64_t vocabSize() const override { return size; }
  std::optional<int32_t> tokenToId(std::string_view token) const override {
    auto it = addedByContent.find(std::string(token));
    if (it != addedByContent.end())
      return addedTokens[it->second].id;
    int32_t id = model->tokenToId(token);
    if (id < 0)
      return std::nullopt;
    return id;
  }

  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<PreTokenizer> preTokenizer;
  std::unique_ptr<Model> model;
  std::unique_ptr<PostProcessor> postProcessor;
  std::unique_ptr<Decoder> decoder;
  std::vector<AddedToken> addedTokens;
  std::unordered_map<std::string, size_t> addedByContent;
  std::unordered_map<int32_t, size_t> addedById;
  AddedTokenMatcher rawMatcher, normalizedMatcher;
  int64_t size = 0;
};

StatusOr<std::vector<int32_t>>
JsonTokenizer::encode(std::string_view text, bool addSpecialTokens) const {
  size_t bad = findInvalidUtf8(text);
  if (bad != std::string_view::npos)
    return Status::error("text is not valid utf-8 at byte " +
                         std::to_string(bad));
  std::vector<Segment> raw;
  rawMatcher.split({std::string(text), -1, true}, raw);
  std::vector<Segment> segments;
  for (Segment &segment : raw) {
    if (segment.addedId >= 0) {
      segments.push_back(std::move(segment));
      continue;
    }
    if (normalizer)
      segment.text = normalizer->normalize(std::move(segment.text));
    if (segment.text.empty())
      continue;
    normalizedMatcher.split(segment, segments);
  }

  std::vector<int32_t> ids;
  std::vector<Piece> pieces;
  for (const Segment &segment : segments) {
    if (segment.addedId >= 0) {
      ids.push_back(segment.addedId);
      continue;
    }
    pieces.assign(1, Piece{segment.text, segment.atStart});
    if (preTokenizer)
      preTokenizer->preTokenize(pieces);
    for (const Piece &piece : pieces) {
      if (piece.text.empty())
        continue;
      Status status = model->tokenize(piece.text, ids);
      if (!status.ok())
        return status;
    }
  }
  if (addSpecialTokens && postProcessor)
    postProcessor->process(ids);
  return ids;
}

StatusOr<std::string> JsonTokenizer::decode(const std::vector<int32_t> &ids,
                                            bool skipSpecialTokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    if (id < 0 || id >= size)
      return Status::error("token id " + std::to_string(id) +
                           " is out of range for vocabulary size " +
                           std::to_string(size));
    auto added = addedById.find(id);
    if (added != addedById.end()) {
      const AddedToken &token = addedTokens[added->second];
      if (!(skipSpecialTokens && token.special))
        tokens.push_back(token.content);
      continue;
    }
    const std::string *token = model->idToToken(id);
    if (!token)
      return Status::error("token id " + std::to_string(id) + " has no token");
    tokens.push_back(*token);
  }
  if (!decoder) {
    std::string joined;
    for (size_t i = 0; i < tokens.size(); ++i)
      joined += (i ? " " : "") + tokens[i];
    return joined;
  }
  decoder->decodeChain(tokens);
  std::string text;
  for (const std::string &token : tokens)
    text += token;
  return text;
}

/// Builds the tokenizer from the parsed JSON; errors name the component.
StatusOr<std::unique_ptr<Tokenizer>> buildJsonTokenizer(const Json &root) {
  if (!root.is_object())
    return Status::error("top level is not a JSON object");
  auto tokenizer = std::make_unique<JsonTokenizer>();
  auto field = [&](const char *key) -> const Json & {
    static const Json null;
    auto it = root.find(key);
    return it == root.end() ? null : *it;
  };

  const Json &modelJson = field("model");
  if (!modelJson.is_object())
    return Status::error("no model object");
  std::string modelType = modelJson.value("type", "");
  if (modelType.empty()) // Older files leave out the type.
    modelType = modelJson.contains("merges") ? "BPE" : "";
  StatusOr<std::unique_ptr<Model>> model =
      modelType == "BPE" ? parseBpe(modelJson)
      : modelType == "WordPiece"
          ? parseWordPiece(modelJson)
          : StatusOr<std::unique_ptr<Model>>(Status::error(
                "model type '" + modelType + "' is not supported"));
  if (!model.ok())
    return model.status();
  tokenizer->model = std::move(*model);

  StatusOr<std::unique_ptr<Normalizer>> normalizer =
      parseNormalizer(field("normalizer"));
  if (!normalizer.ok())
    return normalizer.status();
  tokenizer->normalizer = std::move(*normalizer);
  StatusOr<std::unique_ptr<PreTokenizer>> preTokenizer =
      parsePreTokenizer(field("pre_tokenizer"));
  if (!preTokenizer.ok())
    return preTokenizer.status();
  tokenizer->preTokenizer = std::move(*preTokenizer);
  StatusOr<std::unique_ptr<PostProcessor>> postProcessor =
      parsePostProcessor(field("post_processor"));
  if (!postProcessor.ok())
    return postProcessor.status();
  tokenizer->postProcessor = std::move(*postProcessor);
  StatusOr<std::unique_ptr<Decoder>> decoder = parseDecoder(field("decoder"));
  if (!decoder.ok())
    return decoder.status();
  tokenizer->decoder = std::move(*decoder);

  tokenizer->size = tokenizer->model->size();
  const Json &added = field("added_tokens");
  if (!added.is_null() && !added.is_array())
    return Status::error("added_tokens is not an array");
  if (added.is_array()) {
    for (const Json &item : added) {
      AddedToken token;
      token.content = item.at("content").get<std::string>();
      token.id = item.at("id").get<int32_t>();
      if (token.id < 0)
        return Status::error("added token '" + token.content +
                             "' has a negative id");
      token.special = item.value("special", false);
      token.singleWord = item.value("single_word", false);
      token.lstrip = item.value("lstrip", false);
      token.rstrip = item.value("rstrip", false);
      token.normalized = item.value("normalized", !token.special);
      tokenizer->size = std::max<int64_t>(tokenizer->size, token.id + 1);
      tokenizer->addedByContent[token.content] = tokenizer->addedTokens.size();
      tokenizer->addedById[token.id] = tokenizer->addedTokens.size();
      tokenizer->addedTokens.push_back(std::move(token));
    }
  }
  // The matchers point into addedTokens, complete by now.
  for (const AddedToken &token : tokenizer->addedTokens) {
    if (!token.normalized) {
      tokenizer->rawMatcher.add(token.content, &token);
      continue;
    }
    std::string content = token.content;
    if (tokenizer->normalizer)
      content = tokenizer->normalizer->normalize(std::move(content));
    tokenizer->normalizedMatcher.add(std::move(content), &token);
  }
  tokenizer->rawMatcher.finish();
  tokenizer->normalizedMatcher.finish();
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

} // namespace

StatusOr<std::unique_ptr<Tokenizer>>
Tokenizer::loadJson(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error(path + ": cannot open file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  Json root = Json::parse(buffer.str(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded())
    return Status::error(path + ": not valid JSON");
  try {
    StatusOr<std::unique_ptr<Tokenizer>> tokenizer = buildJsonTokenizer(root);
    if (!tokenizer.ok())
      return tokenizer.status().withContext(path);
    return tokenizer;
  } catch (const nlohmann::json::exception &error) {
    // A missing or mistyped field; the message names it.
    return Status::error(path + ": malformed tokenizer: " + error.what());
  }
}
