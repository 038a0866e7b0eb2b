//===- Bpe.cpp - The BPE model --------------------------------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// HF's BPE model: a piece starts as one symbol per character (with
// continuing_subword_prefix / end_of_word_suffix, byte_fallback to <0xNN>
// tokens, unknown characters as unk_token, fused with fuse_unk), then the
// adjacent pair with the lowest merge rank (leftmost first) is merged until
// no pair merges. With ignore_merges a piece that is a vocabulary entry is
// taken whole.
//
//===----------------------------------------------------------------------===//

#include "TokenizerImpl.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <queue>
#include <unordered_map>

using namespace tokamak::rt;
using namespace tokamak::rt::tok;

Model::~Model() = default;

namespace {

struct MergeResult {
  uint32_t rank;
  int32_t id;
};

uint64_t pairKey(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
         static_cast<uint32_t>(right);
}

class BpeModel : public VocabModel {
public:
  Status tokenize(std::string_view piece,
                  std::vector<int32_t> &ids) const override;

  std::unordered_map<uint64_t, MergeResult> merges;
  std::string unkToken, prefix, suffix;
  bool hasUnk = false, fuseUnk = false, byteFallback = false,
       ignoreMerges = false;
  /// The ids of the <0xNN> tokens, or -1.
  int32_t byteIds[256];
};

Status BpeModel::tokenize(std::string_view piece,
                          std::vector<int32_t> &ids) const {
  if (ignoreMerges) {
    auto it = vocab.find(std::string(piece));
    if (it != vocab.end()) {
      ids.push_back(it->second);
      return Status::success();
    }
  }
  // The initial symbols (HF BPE::merge_word).
  std::vector<int32_t> symbols;
  bool pendingUnk = false;
  int32_t unkId = -1;
  for (size_t pos = 0; pos < piece.size();) {
    size_t begin = pos;
    nextCodePoint(piece, pos);
    std::string symbol;
    if (begin != 0)
      symbol = prefix;
    symbol.append(piece.substr(begin, pos - begin));
    if (pos == piece.size())
      symbol += suffix;
    auto it = vocab.find(symbol);
    if (it != vocab.end()) {
      if (pendingUnk) {
        symbols.push_back(unkId);
        pendingUnk = false;
      }
      symbols.push_back(it->second);
      continue;
    }
    if (byteFallback) {
      bool all = true;
      for (unsigned char byte : symbol)
        all = all && byteIds[byte] >= 0;
      if (all) {
        for (unsigned char byte : symbol)
          symbols.push_back(byteIds[byte]);
        continue;
      }
    }
    if (!hasUnk)
      continue; // HF drops the character.
    auto unk = vocab.find(unkToken);
    if (unk == vocab.end())
      return Status::error("unk_token '" + unkToken +
                           "' is not in the vocabulary");
    if (pendingUnk && !fuseUnk)
      symbols.push_back(unkId);
    pendingUnk = true;
    unkId = unk->second;
  }
  if (pendingUnk)
    symbols.push_back(unkId);

  // Merge (HF Word::merge_all): lowest rank first, then leftmost.
  struct Symbol {
    int32_t id;
    int prev, next;
    bool alive;
  };
  std::vector<Symbol> word(symbols.size());
  for (size_t i = 0; i < symbols.size(); ++i)
    word[i] = {symbols[i], static_cast<int>(i) - 1,
               i + 1 < symbols.size() ? static_cast<int>(i + 1) : -1, true};
  struct Candidate {
    uint32_t rank;
    int pos;
    int32_t newId;
    bool operator>(const Candidate &other) const {
      return rank != other.rank ? rank > other.rank : pos > other.pos;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>,
                      std::greater<Candidate>>
      queue;
  auto lookup = [&](int32_t left, int32_t right) -> const MergeResult * {
    auto it = merges.find(pairKey(left, right));
    return it == merges.end() ? nullptr : &it->second;
  };
  for (size_t i = 0; i + 1 < word.size(); ++i)
    if (const MergeResult *m = lookup(word[i].id, word[i + 1].id))
      queue.push({m->rank, static_cast<int>(i), m->id});
  while (!queue.empty()) {
    Candidate top = queue.top();
    queue.pop();
    Symbol &current = word[static_cast<size_t>(top.pos)];
    if (!current.alive || current.next < 0)
      continue;
    Symbol &right = word[static_cast<size_t>(current.next)];
    const MergeResult *m = lookup(current.id, right.id);
    if (!m || m->id != top.newId)
      continue; // A stale entry.
    current.id = top.newId;
    right.alive = false;
    current.next = right.next;
    if (current.next >= 0)
      word[static_cast<size_t>(current.next)].prev = top.pos;
    if (current.prev >= 0)
      if (const MergeResult *pm =
              lookup(word[static_cast<size_t>(current.prev)].id, current.id))
        queue.push({pm->rank, current.prev, pm->id});
    if (current.next >= 0)
      if (const MergeResult *nm =
              lookup(current.id, word[static_cast<size_t>(current.next)].id))
        queue.push({nm->rank, top.pos, nm->id});
  }
  for (const Symbol &symbol : word)
    if (symbol.alive)
      ids.push_back(symbol.id);
  return Status::success();
}

std::string optionalString(const Json &json, const char *key) {
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : "";
}

} // namespace

StatusOr<std::unique_ptr<Model>> tok::parseBpe(const Json &json) {
  auto model = std::make_unique<BpeModel>();
  const Json &vocab = json.at("vocab");
  if (!vocab.is_object())
    return Status::error("model BPE: vocab must be an object");
  int64_t maxId = -1;
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0 ||
        it.value().get<int64_t>() > INT32_MAX)
      return Status::error("model BPE: bad id for token '" + it.key() + "'");
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

  model->prefix = optionalString(json, "continuing_subword_prefix");
  model->suffix = optionalString(json, "end_of_word_suffix");
  auto unk = json.find("unk_token");
  model->hasUnk = unk != json.end() && unk->is_string();
  if (model->hasUnk)
    model->unkToken = unk->get<std::string>();
  model->fuseUnk = json.value("fuse_unk", false);
  model->byteFallback = json.value("byte_fallback", false);
  model->ignoreMerges = json.value("ignore_merges", false);
  auto dropout = json.find("dropout");
  if (dropout != json.end() && dropout->is_number() &&
      dropout->get<double>() > 0.0)
    return Status::error("model BPE: dropout is not supported");
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    model->byteIds[b] = model->tokenToId(name);
  }

  const Json &merges = json.at("merges");
  if (!merges.is_array())
    return Status::error("model BPE: merges must be an array");
  uint32_t rank = 0;
  for (const Json &merge : merges) {
    std::string left, right;
    if (merge.is_string()) {
      std::string text = merge.get<std::string>();
      size_t space = text.find(' ');
      if (space == std::string::npos)
        return Status::error("model BPE: merge '" + text +
                             "' is not two space-separated tokens");
      left = text.substr(0, space);
      right = text.substr(space + 1);
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
               merge[1].is_string()) {
      left = merge[0].get<std::string>();
      right = merge[1].get<std::string>();
    } else {
      return Status::error("model BPE: merge " + std::to_string(rank) +
                           " is neither \"a b\" nor [a, b]");
    }
    std::string merged =
        left + right.substr(std::min(model->prefix.size(), right.size()));
    int32_t leftId = model->tokenToId(left), rightId = model->tokenToId(right),
            mergedId = model->tokenToId(merged);
    for (const auto &[token, id] :
         {std::pair(&left, leftId), std::pair(&right, rightId),
          std::pair(&merged, mergedId)})
      if (id < 0)
        return Status::error("model BPE: merge " + std::to_string(rank) +
                             " references token '" + *token +
                             "' that is not in the vocabulary");
    model->merges[pairKey(leftId, rightId)] = {rank, mergedId};
    ++rank;
  }
  return std::unique_ptr<Model>(std::move(model));
}
