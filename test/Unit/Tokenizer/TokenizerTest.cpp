//===- TokenizerTest.cpp - Tokenizer loading, errors and streaming --------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Unit tests over the checked-in test tokenizers (data/, made by
// make_tokenizers.py) and small hand-written tokenizer.json files. The
// comparison with HF on the whole corpus is TokenizerReferenceTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Tokenizer.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace tokamak::rt;
namespace fs = std::filesystem;

namespace {

std::string dataDir(const std::string &name) {
  return std::string(TOK_TOKENIZER_DATA_DIR) + "/" + name;
}

class TokenizerTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "toktest.XXXXXX");
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }
  void TearDown() override { fs::remove_all(dir); }

  /// Writes `text` to `name` in the test directory; returns its path.
  std::string writeFile(const std::string &name, const std::string &text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }

  /// The error of loading `json` as a tokenizer.json.
  std::string loadError(const std::string &json) {
    std::string path = writeFile("tokenizer.json", json);
    StatusOr<std::unique_ptr<Tokenizer>> tokenizer = Tokenizer::loadJson(path);
    EXPECT_FALSE(tokenizer.ok());
    return tokenizer.ok() ? "" : tokenizer.status().message();
  }

  fs::path dir;
};

/// A minimal byte-less BPE tokenizer.json around `model`, with `extra`
/// top-level fields.
std::string bpeJson(const std::string &model, const std::string &extra = "") {
  return R"({"version": "1.0", "added_tokens": [], )" + extra + R"("model": )" +
         model + "}";
}

const char *kSmallModel =
    R"({"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]})";

// Loading picks tokenizer.json over tokenizer.model and reports a directory
// with neither.
TEST_F(TokenizerTest, LoadFromDirectory) {
  StatusOr<std::unique_ptr<Tokenizer>> missing =
      Tokenizer::loadFromDirectory(dir.string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            dir.string() +
                ": no tokenizer.json or tokenizer.model (use --prompt-ids)");

  StatusOr<std::unique_ptr<Tokenizer>> llama3 =
      Tokenizer::loadFromDirectory(dataDir("llama3"));
  ASSERT_TRUE(llama3.ok()) << llama3.status().message();
  EXPECT_EQ((*llama3)->bosId(), (*llama3)->tokenToId("<|begin_of_text|>"));
  EXPECT_EQ((*llama3)->eosId(), (*llama3)->tokenToId("<|end_of_text|>"));

  StatusOr<std::unique_ptr<Tokenizer>> sp =
      Tokenizer::loadFromDirectory(dataDir("sp"));
  ASSERT_TRUE(sp.ok()) << sp.status().message();
  EXPECT_EQ((*sp)->bosId(), 1);
  EXPECT_EQ((*sp)->eosId(), 2);
  StatusOr<std::vector<int32_t>> ids = (*sp)->encode("Hello world");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->front(), 1);
}

// tokenizer_config.json names BOS and EOS.
TEST_F(TokenizerTest, BosEosFromConfig) {
  fs::copy_file(dataDir("qwen2") + "/tokenizer.json", dir / "tokenizer.json");
  writeFile("tokenizer_config.json",
            R"({"bos_token": null, "eos_token": {"content": "<|im_end|>"}})");
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer =
      Tokenizer::loadFromDirectory(dir.string());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().message();
  EXPECT_EQ((*tokenizer)->eosId(), (*tokenizer)->tokenToId("<|im_end|>"));
  EXPECT_FALSE((*tokenizer)->bosId().has_value());
}

// Files that are not tokenizers, or use components that are not
// implemented, fail naming the problem.
TEST_F(TokenizerTest, BadFiles) {
  EXPECT_NE(loadError("{not json").find(": not valid JSON"), std::string::npos);
  EXPECT_EQ(loadError(R"({"model": {"type": "Unigram", "vocab": []}})"),
            (dir / "tokenizer.json").string() +
                ": model type 'Unigram' is not supported");
  EXPECT_EQ(loadError(bpeJson(kSmallModel, R"("pre_tokenizer": {"type": )"
                                           R"("Digits"}, )")),
            (dir / "tokenizer.json").string() +
                ": pre_tokenizer type 'Digits' is not supported");
  EXPECT_EQ(loadError(bpeJson(kSmallModel,
                              R"("normalizer": {"type": "Precompiled"}, )")),
            (dir / "tokenizer.json").string() +
                ": normalizer type 'Precompiled' is not supported");
  EXPECT_EQ(loadError(bpeJson(kSmallModel, R"("decoder": {"type": "CTC"}, )")),
            (dir / "tokenizer.json").string() +
                ": decoder type 'CTC' is not supported");
  EXPECT_EQ(loadError(bpeJson(R"({"type": "BPE", "vocab": {"a": 0, "b": 1},)"
                              R"( "merges": ["a b"]})")),
            (dir / "tokenizer.json").string() +
                ": model BPE: merge 0 references token 'ab' that is not in "
                "the vocabulary");
  EXPECT_EQ(loadError(bpeJson(R"({"type": "BPE", "vocab": {"a": 0},)"
                              R"( "merges": [["a", "c"]]})")),
            (dir / "tokenizer.json").string() +
                ": model BPE: merge 0 references token 'c' that is not in "
                "the vocabulary");
  EXPECT_NE(loadError(R"({"model": {"type": "BPE"}})")
                .find(": malformed tokenizer: "),
            std::string::npos);

  StatusOr<std::unique_ptr<Tokenizer>> missing =
      Tokenizer::loadJson((dir / "nope.json").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            (dir / "nope.json").string() + ": cannot open file");
  StatusOr<std::unique_ptr<Tokenizer>> badModel =
      Tokenizer::loadSentencePiece(writeFile("tokenizer.model", "garbage"));
  ASSERT_FALSE(badModel.ok());
  EXPECT_NE(badModel.status().message().find(
                "tokenizer.model: cannot load sentencepiece model"),
            std::string::npos);
}

// A hand-written BPE: merges apply, decode without a decoder joins with
// spaces, and bad ids or bad UTF-8 are errors.
TEST_F(TokenizerTest, SmallBpe) {
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer =
      Tokenizer::loadJson(writeFile("tokenizer.json", bpeJson(kSmallModel)));
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().message();
  StatusOr<std::vector<int32_t>> ids = (*tokenizer)->encode("abba");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<int32_t>{2, 1, 0}));
  EXPECT_EQ((*tokenizer)->vocabSize(), 3);
  StatusOr<std::string> text = (*tokenizer)->decode({2, 1});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "ab b");

  StatusOr<std::string> bad = (*tokenizer)->decode({0, 3});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "token id 3 is out of range for vocabulary size 3");
  StatusOr<std::vector<int32_t>> badText = (*tokenizer)->encode("a\xC3");
  ASSERT_FALSE(badText.ok());
  EXPECT_EQ(badText.status().message(), "text is not valid utf-8 at byte 1");
}

/// Feeds `ids` through a stream; returns each push's output and the
/// finish() output last.
std::vector<std::string> streamPieces(const Tokenizer &tokenizer,
                                      const std::vector<int32_t> &ids) {
  Tokenizer::Stream stream(tokenizer);
  std::vector<std::string> pieces;
  for (int32_t id : ids) {
    StatusOr<std::string> piece = stream.push(id);
    EXPECT_TRUE(piece.ok()) << piece.status().message();
    pieces.push_back(piece.ok() ? *piece : "");
  }
  StatusOr<std::string> rest = stream.finish();
  EXPECT_TRUE(rest.ok());
  pieces.push_back(rest.ok() ? *rest : "");
  return pieces;
}

/// Whether `text` is complete UTF-8 (no partial sequence, no U+FFFD).
bool isCompleteUtf8(const std::string &text) {
  return text.find("\xEF\xBF\xBD") == std::string::npos;
}

// Streaming holds back multi-byte characters split across byte-level and
// byte-fallback tokens and emits each once complete.
TEST_F(TokenizerTest, StreamMultiByteUtf8) {
  const std::string text = "caf\xC3\xA9 \xF0\x9F\xA4\x96 \xE4\xB8\xAD "
                           "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9 ok";
  for (const char *name : {"gpt2", "llama3", "llama2", "mistral", "sp"}) {
    SCOPED_TRACE(name);
    StatusOr<std::unique_ptr<Tokenizer>> tokenizer =
        Tokenizer::loadFromDirectory(dataDir(name));
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().message();
    StatusOr<std::vector<int32_t>> ids = (*tokenizer)->encode(text);
    ASSERT_TRUE(ids.ok());
    std::vector<std::string> pieces = streamPieces(**tokenizer, *ids);
    std::string joined;
    size_t held = 0;
    for (const std::string &piece : pieces) {
      EXPECT_TRUE(isCompleteUtf8(piece)) << "partial output '" << piece << "'";
      held += piece.empty();
      joined += piece;
    }
    EXPECT_EQ(joined, text);
    // The emoji take several tokens each: some pushes must hold back.
    EXPECT_GT(held, 1u);
  }
}

// A stream ending inside a character flushes it as U+FFFD; a bad id is an
// error that leaves the stream usable.
TEST_F(TokenizerTest, StreamFinishAndErrors) {
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer =
      Tokenizer::loadFromDirectory(dataDir("llama2"));
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().message();
  std::optional<int32_t> f0 = (*tokenizer)->tokenToId("<0xF0>");
  std::optional<int32_t> x9f = (*tokenizer)->tokenToId("<0x9F>");
  ASSERT_TRUE(f0 && x9f);
  Tokenizer::Stream stream(**tokenizer);
  StatusOr<std::string> out = stream.push(*f0);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "");
  StatusOr<std::string> bad = stream.push(100000);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "token id 100000 is out of range for vocabulary size " +
                std::to_string((*tokenizer)->vocabSize()));
  out = stream.push(*x9f);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "");
  out = stream.finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

// Special tokens inside text become their ids, and skipSpecialTokens
// controls whether decode spells them.
TEST_F(TokenizerTest, SpecialTokens) {
  StatusOr<std::unique_ptr<Tokenizer>> tokenizer =
      Tokenizer::loadFromDirectory(dataDir("qwen2"));
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().message();
  std::optional<int32_t> start = (*tokenizer)->tokenToId("<|im_start|>");
  ASSERT_TRUE(start.has_value());
  StatusOr<std::vector<int32_t>> ids =
      (*tokenizer)->encode("<|im_start|>user", /*addSpecialTokens=*/false);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->front(), *start);
  StatusOr<std::string> kept = (*tokenizer)->decode(*ids, false);
  StatusOr<std::string> skipped = (*tokenizer)->decode(*ids, true);
  ASSERT_TRUE(kept.ok() && skipped.ok());
  EXPECT_EQ(*kept, "<|im_start|>user");
  EXPECT_EQ(*skipped, "user");
}

} // namespace
