//===- WordPiece.cpp - The WordPiece model --------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// HF's WordPiece model (BERT): greedy longest-match-first over the piece,
// later sub-words looked up with the continuing_subword_prefix ("##"); a
// piece with no full cover, or longer than max_input_chars_per_word
// characters, becomes the single unk_token.
//
//===----------------------------------------------------------------------===//

#include "TokenizerImpl.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <unordered_map>

using namespace tokamak::rt;
using namespace tokamak::rt::tok;

namespace {

class WordPieceModel : public VocabModel {
public:
  Status tokenize(std::string_view piece,
                  std::vector<int32_t> &ids) const override;

  std::string unkToken, prefix;
  size_t maxChars = 100;
};

Status WordPieceModel::tokenize(std::string_view piece,
                                std::vector<int32_t> &ids) const {
  auto unk = [&]() -> Status {
    int32_t id = tokenToId(unkToken);
    if (id < 0)
      return Status::error("unk_token '" + unkToken +
                           "' is not in the vocabulary");
    ids.push_back(id);
    return Status::success();
  };
  size_t chars = 0;
  for (size_t pos = 0; pos < piece.size(); nextCodePoint(piece, pos))
    ++chars;
  if (chars > maxChars)
    return unk();

  std::vector<int32_t> pieces;
  std::string candidate;
  for (size_t start = 0; start < piece.size();) {
    size_t end = piece.size();
    int32_t found = -1;
    while (start < end) {
      candidate.clear();
      if (start > 0)
        candidate = prefix;
      candidate.append(piece.substr(start, end - start));
      found = tokenToId(candidate);
      if (found >= 0)
        break;
      // Drop the last character.
      do
        --end;
      while (end > start &&
             (static_cast<unsigned char>(piece[end]) & 0xC0) == 0x80);
    }
    if (found < 0)
      return unk();
    pieces.push_back(found);
    start = end;
  }
  ids.insert(ids.end(), pieces.begin(), pieces.end());
  return Status::success();
}

} // namespace

StatusOr<std::unique_ptr<Model>> tok::parseWordPiece(const Json &json) {
  auto model = std::make_unique<WordPieceModel>();
  const Json &vocab = json.at("vocab");
  if (!vocab.is_object())
    return Status::error("model WordPiece: vocab must be an object");
  int64_t maxId = -1;
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0 ||
        it.value().get<int64_t>() > INT32_MAX)
      return Status::error("model WordPiece: bad id for token '" + it.key() +
                           "'");
    int32_t id = it.value().get<int32_t>();
    model->vocab.emplace(it.key(), id);
    maxId = std::max<int64_t>(maxId, id);
  }
  model->tokens.resize(static_cast<size_t>(maxId + 1));
  model->hasToken.assign(static_cast<size_t>(maxId + 1), false);
  for (const auto &[token, id] : model->vocab) {
    model->tokens[static_cast<size_t>(id)] = token;
    model->hasToken[static_cast<size_t>(id)] = true;
  }
  model->unkToken = json.value("unk_token", std::string("[UNK]"));
  model->prefix = json.value("continuing_subword_prefix", std::string("##"));
  model->maxChars = json.value("max_input_chars_per_word", size_t(100));
  return std::unique_ptr<Model>(std::move(model));
}
