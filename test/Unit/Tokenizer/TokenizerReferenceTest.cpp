//===- TokenizerReferenceTest.cpp - Tokenizers against HF -----------------===//
//
// Part of the Tokamak project.
//
//===----------------------------------------------------------------------===//
//
// Compares Tokamak's tokenizers with the reference file that
// make_reference.py writes (HF `tokenizers` / `sentencepiece` on every
// corpus string): ids with and without special tokens, decoded text with
// and without special tokens, and streaming decode. Run through
// run-reference-test.sh, which makes the file and passes its path in
// TOK_TOKENIZER_REFERENCE. Every mismatch is printed with its string; the
// last line per tokenizer counts them.
//
//===----------------------------------------------------------------------===//

#include "tokamak/runtime/Tokenizer.h"

#include "gtest/gtest.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace tokamak::rt;
using Json = nlohmann::json;

namespace {

std::string showIds(const std::vector<int32_t> &ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i)
    out += (i ? ", " : "") + std::to_string(ids[i]);
  return out + "]";
}

/// The reference file's contents; fails the test when it is missing.
Json loadReference() {
  const char *path = std::getenv("TOK_TOKENIZER_REFERENCE");
  if (!path) {
    ADD_FAILURE() << "TOK_TOKENIZER_REFERENCE is not set: run this test "
                     "through ctest (run-reference-test.sh)";
    return Json();
  }
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  Json reference = Json::parse(buffer.str(), nullptr, false);
  if (reference.is_discarded() || !reference.contains("tokenizers"))
    ADD_FAILURE() << path << ": not a reference file";
  return reference;
}

/// Compares one tokenizer on every case; returns the mismatch count.
size_t compareTokenizer(const Json &entry) {
  std::string name = entry.at("name").get<std::string>();
  StatusOr<std::unique_ptr<Tokenizer>> loaded =
      Tokenizer::loadFromDirectory(entry.at("dir").get<std::string>());
  if (!loaded.ok()) {
    ADD_FAILURE() << name << ": " << loaded.status().message();
    return entry.at("cases").size();
  }
  const Tokenizer &tokenizer = **loaded;
  size_t mismatches = 0;
  auto report = [&](const std::string &text, const std::string &what,
                    const std::string &expected, const std::string &actual) {
    ++mismatches;
    ADD_FAILURE() << name << ": " << what << " of " << Json(text).dump()
                  << "\n  hf:      " << expected << "\n  tokamak: " << actual;
  };
  EXPECT_EQ(tokenizer.vocabSize(), entry.at("vocab_size").get<int64_t>())
      << name;

  for (const Json &item : entry.at("cases")) {
    std::string text = item.at("text").get<std::string>();
    for (bool special : {true, false}) {
      auto expected =
          item.at(special ? "ids" : "ids_plain").get<std::vector<int32_t>>();
      StatusOr<std::vector<int32_t>> ids = tokenizer.encode(text, special);
      std::string actual = ids.ok() ? showIds(*ids) : ids.status().message();
      if (!ids.ok() || *ids != expected)
        report(text, special ? "ids" : "ids without special tokens",
               showIds(expected), actual);
    }
    auto ids = item.at("ids").get<std::vector<int32_t>>();
    for (bool skip : {true, false}) {
      const Json &expectedJson = item.at(skip ? "decoded" : "decoded_special");
      if (expectedJson.is_null())
        continue;
      std::string expected = expectedJson.get<std::string>();
      StatusOr<std::string> decoded = tokenizer.decode(ids, skip);
      std::string actual =
          decoded.ok() ? Json(*decoded).dump() : decoded.status().message();
      if (!decoded.ok() || *decoded != expected)
        report(text, skip ? "decode" : "decode keeping special tokens",
               Json(expected).dump(), actual);
    }
    // Streaming must add up to the same text.
    Tokenizer::Stream stream(tokenizer);
    std::string streamed;
    bool ok = true;
    for (int32_t id : ids) {
      StatusOr<std::string> piece = stream.push(id);
      ok = ok && piece.ok();
      if (piece.ok())
        streamed += *piece;
    }
    StatusOr<std::string> rest = stream.finish();
    ok = ok && rest.ok();
    if (rest.ok())
      streamed += *rest;
    std::string expected = item.at("decoded").get<std::string>();
    if (!ok || streamed != expected)
      report(text, "streamed decode", Json(expected).dump(),
             Json(streamed).dump());
  }
  std::cout << "tokenizer " << name << ": " << entry.at("cases").size()
            << " strings, " << mismatches << " mismatches\n";
  return mismatches;
}

// Every tokenizer of the reference file matches HF on every string.
TEST(TokenizerReferenceTest, MatchesHuggingFace) {
  Json reference = loadReference();
  if (reference.is_discarded() || !reference.contains("tokenizers"))
    return;
  size_t total = 0;
  for (const Json &entry : reference["tokenizers"])
    total += compareTokenizer(entry);
  EXPECT_EQ(total, 0u);
}

} // namespace
