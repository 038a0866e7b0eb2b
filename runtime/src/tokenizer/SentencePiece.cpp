//===- SentencePiece.cpp - SentencePiece tokenizer.model ------------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// tokenizer.model files through libsentencepiece. Encoding with special
// tokens prepends BOS, as Llama's tokenizers do; decoding leaves control
// tokens (<s>, </s>) out, or spells them as their pieces when special
// tokens are kept.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Tokenizer.h"

#include <sentencepiece_processor.h>

using namespace tokamak::rt;

namespace {

class SentencePieceTokenizer : public Tokenizer {
public:
  StatusOr<std::vector<int32_t>> encode(std::string_view text,
                                        bool addSpecialTokens) const override {
    std::vector<int> ids;
    sentencepiece::util::Status status = processor.Encode(text, &ids);
    if (!status.ok())
      return Status::error("sentencepiece encode failed: " +
                           std::string(status.message()));
    std::vector<int32_t> out;
    out.reserve(ids.size() + 1);
    if (addSpecialTokens && processor.bos_id() >= 0)
      out.push_back(processor.bos_id());
    out.insert(out.end(), ids.begin(), ids.end());
    return out;
  }

  StatusOr<std::string> decode(const std::vector<int32_t> &ids,
                               bool skipSpecialTokens) const override {
    int64_t size = vocabSize();
    for (int32_t id : ids)
      if (id < 0 || id >= size)
        return Status::error("token id " + std::to_string(id) +
                             " is out of range for vocabulary size " +
                             std::to_string(size));
    std::string text;
    std::vector<int> run;
    auto flush = [&]() -> Status {
      if (run.empty())
        return Status::success();
      std::string piece;
      sentencepiece::util::Status status = processor.Decode(run, &piece);
      if (!status.ok())
        return Status::error("sentencepiece decode failed: " +
                             std::string(status.message()));
      text += piece;
      run.clear();
      return Status::success();
    };
    for (int32_t id : ids) {
      if (!skipSpecialTokens && processor.IsControl(id)) {
        Status status = flush();
        if (!status.ok())
          return status;
        text += processor.IdToPiece(id);
        continue;
      }
      run.push_back(id);
    }
    Status status = flush();
    if (!status.ok())
      return status;
    return text;
  }

  int64_t vocabSize() const override { return processor.GetPieceSize(); }

  std::optional<int32_t> tokenToId(std::string_view token) const override {
    int id = processor.PieceToId(token);
    // PieceToId answers unk_id for unknown pieces.
    if (id == processor.unk_id() && processor.IdToPiece(id) != token)
      return std::nullopt;
    return id;
  }

  sentencepiece::SentencePieceProcessor processor;
};

} // namespace

StatusOr<std::unique_ptr<Tokenizer>>
Tokenizer::loadSentencePiece(const std::string &path) {
  auto tokenizer = std::make_unique<SentencePieceTokenizer>();
  sentencepiece::util::Status status = tokenizer->processor.Load(path);
  if (!status.ok())
    return Status::error(path + ": cannot load sentencepiece model: " +
                         std::string(status.message()));
  if (tokenizer->processor.bos_id() >= 0)
    tokenizer->setBosId(tokenizer->processor.bos_id());
  if (tokenizer->processor.eos_id() >= 0)
    tokenizer->setEosId(tokenizer->processor.eos_id());
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}
