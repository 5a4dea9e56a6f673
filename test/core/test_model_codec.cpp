// Tests of the binary segmodel/segscaler layout (src/core/model_codec.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "model_codec.hpp"
#include "model_json.hpp"
#include "model_test_util.hpp"

namespace cseg {
namespace {

using test::expect_error;
using test::sample_model;

// An 8-byte aligned byte buffer (vector<uint64_t> storage).
class Buffer {
  public:
    explicit Buffer(size_t n, uint8_t fill = 0) : words_((n + 7) / 8 + 1), size_(n) {
        std::memset(words_.data(), fill, words_.size() * 8);
    }
    uint8_t* data() { return reinterpret_cast<uint8_t*>(words_.data()); }
    const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(words_.data()); }
    size_t size() const { return size_; }
    std::vector<uint8_t> bytes() const { return {data(), data() + size_}; }

  private:
    std::vector<uint64_t> words_;
    size_t size_;
};

// Encodes a model into a fresh aligned buffer pre-filled with `fill`.
Buffer encode(const Model& m, uint8_t fill = 0) {
    Buffer b(model_encoded_size(m), fill);
    model_encode(m, b.data());
    return b;
}

// Decodes bytes (copied to an aligned buffer) as a model with InvalidBinary.
Model decode(const std::vector<uint8_t>& bytes) {
    Buffer b(bytes.size());
    if (!bytes.empty()) std::memcpy(b.data(), bytes.data(), bytes.size());
    return model_decode(b.data(), b.size(), ErrorKind::InvalidBinary);
}

// Writes a little-endian value into bytes at offset.
template <class T>
void poke(std::vector<uint8_t>& bytes, size_t offset, T value) {
    std::memcpy(bytes.data() + offset, &value, sizeof value);
}

// Expects decoding to fail with InvalidBinary mentioning needle.
void expect_decode_error(const std::vector<uint8_t>& bytes, const std::string& needle) {
    expect_error([&] { decode(bytes); }, ErrorKind::InvalidBinary, needle);
}

// Offset of the first array (scaler.center) and of a given array for sample_model (k=3, d=2).
constexpr size_t kCenter = kModelHeaderSize;
constexpr size_t kScale = kCenter + 2 * 8;
constexpr size_t kCentroids = kScale + 2 * 8;
constexpr size_t kSizes = kCentroids + 6 * 8;
constexpr size_t kMeanDistance = kSizes + 3 * 8;
constexpr size_t kFeatureMean = kMeanDistance + 3 * 8;
constexpr size_t kFeatureStd = kFeatureMean + 2 * 8;
constexpr size_t kNamesNoImpute = kFeatureStd + 2 * 8;

TEST(ModelCodec, SizeMatchesTheDocumentedLayout) {
    const Model m = sample_model();
    // names: "age" (3) and "income \"k$\"" (11), twice (model + options), each with 4 bytes.
    const size_t names = 2 * ((4 + 3) + (4 + 11));
    EXPECT_EQ(model_encoded_size(m), kNamesNoImpute + names);
    EXPECT_EQ(model_encoded_size(sample_model(true)), kNamesNoImpute + 2 * 8 + names);
    Model bare = sample_model();
    bare.feature_names.clear();
    bare.options.has_feature_names = false;
    bare.options.feature_names.clear();
    EXPECT_EQ(model_encoded_size(bare), kNamesNoImpute);
    const Buffer b = encode(m);
    EXPECT_EQ(std::memcmp(b.data(), "CSGM", 4), 0);
    EXPECT_EQ(b.data()[4], Model::kFormatVersion);
    EXPECT_EQ(b.data()[5], 0);  // kmeans
    double c0;
    std::memcpy(&c0, b.data() + kCentroids, 8);
    EXPECT_EQ(c0, 0.1);
    int64_t s1;
    std::memcpy(&s1, b.data() + kSizes + 8, 8);
    EXPECT_EQ(s1, 3);
}

TEST(ModelCodec, RoundTripIsExactAndDeterministic) {
    for (bool impute : {false, true}) {
        SCOPED_TRACE(impute);
        const Model m = sample_model(impute);
        const Buffer a = encode(m, 0x00);
        const Buffer b = encode(m, 0xAB);  // garbage in the buffer must not leak into output
        ASSERT_EQ(a.bytes(), b.bytes());
        const Model back = decode(a.bytes());
        EXPECT_EQ(encode(back).bytes(), a.bytes());
        EXPECT_EQ(model_to_json(back), model_to_json(m));
        EXPECT_EQ(std::signbit(back.centroids[2]), true);  // -0.0 kept
        EXPECT_EQ(back.options.seed, m.options.seed);
        EXPECT_EQ(back.feature_names, m.feature_names);
        EXPECT_EQ(back.impute, m.impute);
    }
}

TEST(ModelCodec, TextAndBinaryAgree) {
    Model m = sample_model(true);
    m.options.has_feature_names = false;
    m.options.feature_names.clear();
    const Model via_text = model_from_json(model_to_json(m));
    EXPECT_EQ(encode(via_text).bytes(), encode(m).bytes());
    const Model via_binary = decode(encode(m).bytes());
    EXPECT_EQ(model_to_json(via_binary), model_to_json(m));
}

// A model with its projection (pca.hpp) keeps it exactly through binary and text, with and
// without the sampling tail before it; the view points at it.
TEST(ModelCodec, ProjectionRoundTrips) {
    for (int64_t sample : {int64_t(0), int64_t(100)}) {
        SCOPED_TRACE(sample);
        Model m = sample_model();
        m.options.sample = sample;
        m.n_seen = sample > 0 ? 40 : 0;
        m.projection.mean = {0.125, -0.0};
        m.projection.components = {0.6, 0.8, -0.8, 0.6};
        m.projection.variance = {1.75, 0.25};
        m.projection.variance_ratio = {0.875, 0.125};
        const Buffer b = encode(m);
        EXPECT_EQ(b.size(),
                  model_encoded_size(sample_model()) + (sample > 0 ? 16 : 0) + 8 * (4 + 3 * 2));
        const Model back = decode(b.bytes());
        EXPECT_EQ(back.projection.mean, m.projection.mean);
        EXPECT_EQ(back.projection.components, m.projection.components);
        EXPECT_EQ(back.projection.variance, m.projection.variance);
        EXPECT_EQ(back.projection.variance_ratio, m.projection.variance_ratio);
        EXPECT_EQ(encode(model_from_json(model_to_json(m))).bytes(), b.bytes());
        const ModelView v = model_view(b.data(), b.size());
        ASSERT_NE(v.projection, nullptr);
        double first_mean;
        std::memcpy(&first_mean, v.projection + 8 * 4, 8);
        EXPECT_EQ(first_mean, 0.125);
        // Without a projection nothing is written and the view has none.
        EXPECT_EQ(model_view(encode(sample_model()).data(), model_encoded_size(sample_model()))
                      .projection,
                  nullptr);
    }
}

TEST(ModelCodec, EveryTruncationAndExtensionIsRejected) {
    const std::vector<uint8_t> good = encode(sample_model(true)).bytes();
    for (size_t len = 0; len < good.size(); ++len) {
        SCOPED_TRACE(len);
        const std::vector<uint8_t> cut(good.begin(), good.begin() + long(len));
        expect_decode_error(cut, len < kModelHeaderSize ? "truncated" : "does not match");
    }
    std::vector<uint8_t> longer = good;
    longer.push_back(0);
    expect_decode_error(longer, "does not match the header");
    expect_error([] { model_decode(nullptr, 0, ErrorKind::InvalidText); }, ErrorKind::InvalidText,
                 "truncated");
}

TEST(ModelCodec, RejectsBadHeaders) {
    const std::vector<uint8_t> good = encode(sample_model()).bytes();
    EXPECT_NO_THROW(decode(good));
    struct Case {
        size_t offset;
        uint8_t value;
        const char* needle;
    };
    const Case cases[] = {
        {0, 'X', "wrong magic number"},
        {3, 'S', "wrong magic number"},
        {4, 2, "unsupported format version 2"},
        {4, 0, "unsupported format version 0"},
        {5, 5, "unsupported algorithm code 5"},
        {5, 2, "the kind section is truncated"},  // k-means bytes read as hierarchical
        {5, 1, "reserved categorical header"},  // k-means bytes read as k-prototypes
        {6, 4, "unknown scale method code 4"},
        {7, 2, "unknown init method code 2"},
        {8, 3, "unknown missing policy code 3"},
        {9, 128, "unknown flags 128"},
        {9, 8, "does not match the header"},  // transform section announced but absent
        {9, 4, "does not match the header"},  // sampling tail announced but absent
        {9, 64, "does not match the header"},  // projection tail announced but absent
        {10, 2, "unknown refine method code 2"},
        {11, 3, "unknown impute method code 3"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.needle);
        std::vector<uint8_t> bad = good;
        bad[c.offset] = c.value;
        expect_decode_error(bad, c.needle);
    }
}

TEST(ModelCodec, RejectsInconsistentCounts) {
    const std::vector<uint8_t> good = encode(sample_model()).bytes();
    auto with_i32 = [&](size_t off, int32_t v) {
        std::vector<uint8_t> b = good;
        poke(b, off, v);
        return b;
    };
    expect_decode_error(with_i32(12, 0), "k must be at least 1, got 0");
    expect_decode_error(with_i32(12, -5), "k must be at least 1, got -5");
    expect_decode_error(with_i32(16, 0), "dims must be at least 1, got 0");
    expect_decode_error(with_i32(16, std::numeric_limits<int32_t>::min()), "dims must be");
    expect_decode_error(with_i32(12, 4), "does not match the header (k = 4");
    expect_decode_error(with_i32(16, 3), "does not match the header");
    // Sizes that overflow size_t arithmetic must be caught, not wrapped.
    std::vector<uint8_t> huge = with_i32(12, std::numeric_limits<int32_t>::max());
    poke(huge, 16, std::numeric_limits<int32_t>::max());
    expect_decode_error(huge, "does not match the header");
    std::vector<uint8_t> names = good;
    poke<uint64_t>(names, 72, std::numeric_limits<uint64_t>::max());
    expect_decode_error(names, "does not match the header");
    poke<uint64_t>(names, 72, std::numeric_limits<uint64_t>::max() - kNamesNoImpute + 1);
    expect_decode_error(names, "does not match the header");
    // Missing policy impute changes the layout: the same length no longer fits.
    std::vector<uint8_t> imp = good;
    imp[8] = uint8_t(MissingPolicy::Impute);
    expect_decode_error(imp, "does not match the header");
}

TEST(ModelCodec, RejectsBadNameSection) {
    const std::vector<uint8_t> good = encode(sample_model()).bytes();
    std::vector<uint8_t> b = good;
    poke<uint32_t>(b, kNamesNoImpute, 1000);  // first name longer than the section
    expect_decode_error(b, "name section truncated");
    b = good;
    poke<uint32_t>(b, kNamesNoImpute, 0xFFFFFFFFu);
    expect_decode_error(b, "name section truncated");
    b = good;
    poke<uint32_t>(b, kNamesNoImpute, 2);  // "ag", then a garbage length from "e"
    expect_decode_error(b, "name section");
    b = good;
    b[9] = 1;  // option names not flagged: their bytes are left over
    expect_decode_error(b, "unused bytes in the name section");
    b = good;
    b[9] = 0;  // no names flagged at all
    expect_decode_error(b, "unused bytes in the name section");
    b = good;
    b[kNamesNoImpute + 4] = 0;  // NUL inside "age"
    expect_decode_error(b, "contains a NUL byte");
    b = good;
    b[kNamesNoImpute + 4 + 3 + 4] = 'X';  // model and option names may differ
    EXPECT_EQ(decode(b).feature_names[1][0], 'X');
}

TEST(ModelCodec, RejectsBadNumbers) {
    const std::vector<uint8_t> good = encode(sample_model()).bytes();
    struct Case {
        size_t offset;
        double value;
        const char* needle;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const Case cases[] = {
        {kCentroids + 8, nan, "centroids[1] is not finite"},
        {kCentroids, inf, "centroids[0] is not finite"},
        {kCenter, nan, "center[0] is not finite"},
        {kScale + 8, 0.0, "scale[1] must be a finite number greater than zero"},
        {kScale, -2.0, "scale[0] must be a finite number greater than zero"},
        {kMeanDistance, -1.0, "mean_distance[0] is negative"},
        {kFeatureStd, nan, "feature_std[0] is not finite"},
        {kFeatureMean + 8, -inf, "feature_mean[1] is not finite"},
        {48, nan, "inertia must be a finite number >= 0"},
        {32, -1.0, "option \"tol\" must be a finite number >= 0"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.needle);
        std::vector<uint8_t> bad = good;
        poke(bad, c.offset, c.value);
        expect_decode_error(bad, c.needle);
    }
    std::vector<uint8_t> b = good;
    poke<int64_t>(b, kSizes, 6);
    expect_decode_error(b, "sizes sum to more than n_rows = 10");
    b = good;
    poke<int64_t>(b, kSizes + 16, -1);
    expect_decode_error(b, "sizes[2] is negative");
    b = good;
    poke<int64_t>(b, 56, 2);  // n_rows = 2 < k
    expect_decode_error(b, "k = 3 exceeds n_rows = 2");
    b = good;
    poke<int32_t>(b, 20, 0);
    expect_decode_error(b, "option \"n_init\" must be an integer between 1 and 10000");
    b = good;
    poke<uint64_t>(b, 40, 1ULL << 63);
    expect_decode_error(b, "option \"seed\"");
    b = good;
    b[6] = uint8_t(ScaleMethod::Robust);  // options.scale no longer matches... the scaler
    EXPECT_NO_THROW(decode(b));           // (one byte holds both: they cannot disagree)
}

TEST(ModelCodec, MutatedBytesNeverCrash) {
    const std::vector<uint8_t> good = encode(sample_model(true)).bytes();
    std::mt19937_64 gen(2024);
    int accepted = 0;
    for (int i = 0; i < 30000; ++i) {
        std::vector<uint8_t> b = good;
        const int edits = 1 + int(gen() % 3);
        for (int e = 0; e < edits; ++e) {
            const size_t pos = gen() % b.size();
            switch (gen() % 4) {
                case 0:
                    b[pos] ^= uint8_t(1u << (gen() % 8));
                    break;
                case 1:
                    b[pos] = uint8_t(gen());
                    break;
                case 2:
                    b.resize(pos);
                    break;
                default:
                    b.insert(b.begin() + long(pos), uint8_t(gen()));
                    break;
            }
            if (b.empty()) break;
        }
        try {
            const Model m = decode(b);
            ++accepted;
            EXPECT_EQ(encode(m).bytes(), b);  // anything accepted is canonical
        } catch (const Error& e) {
            EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::InvalidBinary));
        }
    }
    EXPECT_GT(accepted, 0);
}

TEST(ModelCodec, EncodingAnInvalidModelIsAnInternalError) {
    Model m = sample_model();
    m.sizes.pop_back();
    expect_error([&] { model_encoded_size(m); }, ErrorKind::Internal, "sizes has 2 values");
    Buffer b(4096);
    expect_error([&] { model_encode(m, b.data()); }, ErrorKind::Internal, "sizes has 2 values");
}

TEST(ModelView, PointsIntoTheBuffer) {
    const Model m = sample_model(true);
    const Buffer b = encode(m);
    const ModelView v = model_view(b.data(), b.size());
    EXPECT_EQ(v.k, 3);
    EXPECT_EQ(v.dims, 2);
    for (size_t j = 0; j < 2; ++j) {
        EXPECT_EQ(v.center[j], m.scaler.center[j]);
        EXPECT_EQ(v.scale[j], m.scaler.scale[j]);
        EXPECT_EQ(v.impute[j], m.impute[j]);
    }
    for (size_t i = 0; i < m.centroids.size(); ++i) EXPECT_EQ(v.centroids[i], m.centroids[i]);
    for (size_t c = 0; c < 3; ++c) {
        EXPECT_EQ(v.sizes[c], m.sizes[c]);
        EXPECT_EQ(v.mean_distance[c], m.mean_distance[c]);
    }
    EXPECT_GE(reinterpret_cast<const uint8_t*>(v.center), b.data());
    EXPECT_LE(reinterpret_cast<const uint8_t*>(v.mean_distance + 3), b.data() + b.size());

    const Buffer no_impute = encode(sample_model(false));
    EXPECT_EQ(model_view(no_impute.data(), no_impute.size()).impute, nullptr);
}

TEST(ModelView, ChecksAlignmentHeaderAndLength) {
    const Buffer b = encode(sample_model());
    Buffer shifted(b.size() + 8);
    std::memcpy(shifted.data() + 4, b.data(), b.size());
    expect_error([&] { model_view(shifted.data() + 4, b.size()); }, ErrorKind::Internal,
                 "not 8-byte aligned");
    expect_error([&] { model_view(b.data(), b.size() - 1); }, ErrorKind::Internal,
                 "does not match the header");
    expect_error([&] { model_view(b.data(), 10); }, ErrorKind::Internal, "truncated");
    std::vector<uint8_t> bad = b.bytes();
    bad[0] = 'X';
    Buffer badbuf(bad.size());
    std::memcpy(badbuf.data(), bad.data(), bad.size());
    expect_error([&] { model_view(badbuf.data(), badbuf.size()); }, ErrorKind::Internal,
                 "wrong magic");
}

// ---- segscaler ----

// A valid 3-feature scaler.
Scaler sample_scaler() {
    Scaler s;
    s.method = ScaleMethod::MinMax;
    s.center = {-0.0, 1.5, 5e-324};
    s.scale = {1.0, 0.1, 1.7976931348623157e308};
    return s;
}

// Encodes a scaler into an aligned buffer pre-filled with fill.
Buffer encode(const Scaler& s, uint8_t fill = 0) {
    Buffer b(scaler_encoded_size(s), fill);
    scaler_encode(s, b.data());
    return b;
}

// Decodes scaler bytes with InvalidBinary.
Scaler decode_scaler(const std::vector<uint8_t>& bytes) {
    Buffer b(bytes.size());
    if (!bytes.empty()) std::memcpy(b.data(), bytes.data(), bytes.size());
    return scaler_decode(b.data(), b.size(), ErrorKind::InvalidBinary);
}

TEST(ScalerCodec, RoundTripAndLayout) {
    const Scaler s = sample_scaler();
    const Buffer a = encode(s, 0x00);
    const Buffer b = encode(s, 0xCD);
    ASSERT_EQ(a.bytes(), b.bytes());
    EXPECT_EQ(a.size(), kScalerHeaderSize + 3 * 16);
    EXPECT_EQ(std::memcmp(a.data(), "CSGS", 4), 0);
    const Scaler back = decode_scaler(a.bytes());
    EXPECT_EQ(back.method, ScaleMethod::MinMax);
    EXPECT_TRUE(std::signbit(back.center[0]));
    EXPECT_EQ(back.center, s.center);
    EXPECT_EQ(back.scale, s.scale);
    EXPECT_EQ(encode(back).bytes(), a.bytes());
    EXPECT_EQ(scaler_to_json(back), scaler_to_json(s));
}

TEST(ScalerCodec, RejectsBadInput) {
    const std::vector<uint8_t> good = encode(sample_scaler()).bytes();
    for (size_t len = 0; len < good.size(); ++len) {
        SCOPED_TRACE(len);
        const std::vector<uint8_t> cut(good.begin(), good.begin() + long(len));
        expect_error([&] { decode_scaler(cut); }, ErrorKind::InvalidBinary,
                     len < kScalerHeaderSize ? "truncated" : "does not match dims = 3");
    }
    std::vector<uint8_t> longer = good;
    longer.resize(good.size() + 16);
    expect_error([&] { decode_scaler(longer); }, ErrorKind::InvalidBinary,
                 "does not match dims = 3");
    auto bad = [&](size_t off, uint8_t v, const char* needle) {
        SCOPED_TRACE(needle);
        std::vector<uint8_t> b = good;
        b[off] = v;
        expect_error([&] { decode_scaler(b); }, ErrorKind::InvalidBinary, needle);
    };
    bad(0, 'X', "wrong magic number");
    bad(3, 'M', "wrong magic number");
    bad(4, 9, "unsupported format version 9");
    bad(5, 4, "unknown scale method code 4");
    bad(6, 1, "reserved header bytes are not zero");
    bad(13, 1, "reserved header bytes are not zero");
    bad(8, 0, "dims must be at least 1, got 0");
    bad(11, 0x80, "dims must be at least 1");
    bad(8, 4, "does not match dims = 4");
    std::vector<uint8_t> b = good;
    poke(b, kScalerHeaderSize + 3 * 8 + 8, 0.0);  // scale[1] = 0
    expect_error([&] { decode_scaler(b); }, ErrorKind::InvalidBinary, "scale[1] must be");
    b = good;
    poke(b, kScalerHeaderSize, std::numeric_limits<double>::quiet_NaN());
    expect_error([&] { decode_scaler(b); }, ErrorKind::InvalidBinary, "center[0] is not finite");
    expect_error([] { scaler_decode(nullptr, 0, ErrorKind::InvalidText); }, ErrorKind::InvalidText,
                 "truncated");
}

TEST(ScalerCodec, EncodingAnInvalidScalerIsAnInternalError) {
    Scaler s = sample_scaler();
    s.scale[0] = 0.0;
    expect_error([&] { scaler_encoded_size(s); }, ErrorKind::Internal, "scale[0]");
}

}  // namespace
}  // namespace cseg
