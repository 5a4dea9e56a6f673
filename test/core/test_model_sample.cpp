// A model fitted on a sample (kmeans_fit option "sample"): options.sample and n_seen survive
// the binary and text forms, are validated against the other counts, and a model without
// them is encoded exactly as before the option existed.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "model_codec.hpp"
#include "model_json.hpp"
#include "model_test_util.hpp"

namespace cseg {
namespace {

using test::expect_error;
using test::sample_model;

// The encoding of a model as bytes (8-byte aligned scratch, then copied out).
std::vector<uint8_t> encode(const Model& m) {
    std::vector<uint64_t> words(model_encoded_size(m) / 8 + 1);
    model_encode(m, reinterpret_cast<uint8_t*>(words.data()));
    const uint8_t* p = reinterpret_cast<const uint8_t*>(words.data());
    return {p, p + model_encoded_size(m)};
}

// Decodes bytes from an aligned copy.
Model decode(const std::vector<uint8_t>& bytes) {
    std::vector<uint64_t> words(bytes.size() / 8 + 1);
    std::memcpy(words.data(), bytes.data(), bytes.size());
    return model_decode(reinterpret_cast<const uint8_t*>(words.data()), bytes.size(),
                        ErrorKind::InvalidBinary);
}

// sample_model() as if fitted on a reservoir of 10 rows out of 1000 seen (2 skipped).
Model sampled_model(bool impute = false) {
    Model m = sample_model(impute);
    m.options.sample = 10;
    m.n_seen = 1000;
    return m;
}

TEST(ModelSample, BinaryRoundTripAddsASixteenByteTail) {
    for (bool impute : {false, true}) {
        SCOPED_TRACE(impute);
        const Model plain = sample_model(impute);
        const Model m = sampled_model(impute);
        const std::vector<uint8_t> bytes = encode(m);
        EXPECT_EQ(bytes.size(), encode(plain).size() + 16);
        const Model back = decode(bytes);
        EXPECT_EQ(back.options.sample, 10);
        EXPECT_EQ(back.n_seen, 1000);
        EXPECT_EQ(encode(back), bytes);
        EXPECT_EQ(model_to_json(back), model_to_json(m));
        // The hot-path view does not care about the tail.
        std::vector<uint64_t> words(bytes.size() / 8 + 1);
        std::memcpy(words.data(), bytes.data(), bytes.size());
        const ModelView v = model_view(reinterpret_cast<const uint8_t*>(words.data()), bytes.size());
        EXPECT_EQ(v.k, 3);
        EXPECT_EQ(v.centroids[0], 0.1);
    }
}

TEST(ModelSample, ModelsWithoutSampleKeepTheirEncoding) {
    const std::vector<uint8_t> bytes = encode(sample_model());
    EXPECT_EQ(bytes[9] & 4, 0);  // no sampling flag
    const Model back = decode(bytes);
    EXPECT_EQ(back.options.sample, 0);
    EXPECT_EQ(back.n_seen, 0);
    EXPECT_EQ(rows_seen(back), 12);  // n_rows + n_skipped
}

TEST(ModelSample, BadTailsAreRejected) {
    std::vector<uint8_t> bytes = encode(sampled_model());
    for (size_t cut = 1; cut <= 16; ++cut) {
        const std::vector<uint8_t> shorter(bytes.begin(), bytes.end() - long(cut));
        expect_error([&] { decode(shorter); }, ErrorKind::InvalidBinary,
                     "does not match the header");
    }
    std::vector<uint8_t> zero = bytes;
    std::memset(zero.data() + zero.size() - 16, 0, 8);  // sample = 0
    expect_error([&] { decode(zero); }, ErrorKind::InvalidBinary, "sample = 0");
    std::vector<uint8_t> few = bytes;
    const int64_t seen = 11;  // fewer than n_rows + n_skipped = 12
    std::memcpy(few.data() + few.size() - 8, &seen, 8);
    expect_error([&] { decode(few); }, ErrorKind::InvalidBinary, "n_seen = 11 is less than");
}

TEST(ModelSample, ValidationTiesTheCountsTogether) {
    Model m = sampled_model();
    m.options.sample = 9;  // fewer than the 10 rows fitted
    expect_error([&] { validate_model(m, ErrorKind::InvalidText); }, ErrorKind::InvalidText,
                 "n_rows = 10 exceeds option \"sample\" = 9");
    m = sample_model();
    m.n_seen = 12;  // recorded without sampling
    expect_error([&] { validate_model(m, ErrorKind::InvalidText); }, ErrorKind::InvalidText,
                 "n_seen is recorded but option \"sample\" is not set");
    m = sampled_model();
    m.n_seen = 11;
    expect_error([&] { validate_model(m, ErrorKind::InvalidText); }, ErrorKind::InvalidText,
                 "less than n_rows + n_skipped");
    m = sample_model();
    m.n_skipped = std::numeric_limits<int64_t>::max();
    expect_error([&] { validate_model(m, ErrorKind::InvalidText); }, ErrorKind::InvalidText,
                 "overflows");
}

TEST(ModelSample, TextFormCarriesNSeenAndTheOption) {
    const Model m = sampled_model();
    const std::string text = model_to_json(m);
    EXPECT_NE(text.find(R"("n_skipped":2,"n_seen":1000,)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("sample":10,)"), std::string::npos) << text;
    const Model back = model_from_json(text);
    EXPECT_EQ(back.n_seen, 1000);
    EXPECT_EQ(back.options.sample, 10);
    EXPECT_EQ(model_to_json(back), text);
    // Without sampling, n_seen shows n_rows + n_skipped and may be left out of the input.
    const std::string plain = model_to_json(sample_model());
    EXPECT_NE(plain.find(R"("n_seen":12,)"), std::string::npos) << plain;
    std::string older = plain;
    older.erase(older.find(R"("n_seen":12,)"), std::string(R"("n_seen":12,)").size());
    older.erase(older.find(R"(,"sample":null)"), std::string(R"(,"sample":null)").size());
    EXPECT_EQ(model_to_json(model_from_json(older)), plain);
    // ... but when present it must be consistent, and it is required with sampling.
    std::string wrong = plain;
    wrong.replace(wrong.find(R"("n_seen":12)"), 11, R"("n_seen":13)");
    expect_error([&] { model_from_json(wrong); }, ErrorKind::InvalidText,
                 "key \"n_seen\" must be n_rows + n_skipped");
    std::string missing = text;
    missing.erase(missing.find(R"("n_seen":1000,)"), std::string(R"("n_seen":1000,)").size());
    expect_error([&] { model_from_json(missing); }, ErrorKind::InvalidText,
                 "missing key \"n_seen\"");
}

TEST(ModelSample, OptionParsing) {
    EXPECT_EQ(parse_kmeans_options(R"({"sample": 5})").sample, 5);
    EXPECT_EQ(parse_kmeans_options(R"({"sample": null})").sample, 0);
    EXPECT_EQ(parse_kmeans_options("{}").sample, 0);
    for (const char* bad : {R"({"sample": 0})", R"({"sample": -1})", R"({"sample": 1.5})",
                            R"({"sample": "7"})", R"({"sample": 1000000000001})"}) {
        SCOPED_TRACE(bad);
        expect_error([&] { parse_kmeans_options(bad); }, ErrorKind::InvalidParameter,
                     "kmeans_fit option \"sample\" must be null or an integer between 1 and "
                     "1000000000000");
    }
}

}  // namespace
}  // namespace cseg
