// Binary encoding of models and scalers (layout documented in model_codec.hpp).
#include "model_codec.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "model_kind.hpp"

namespace cseg {

static_assert(Model::kFormatVersion >= 0 && Model::kFormatVersion <= 255,
              "the model format version must fit the header byte");
static_assert(sizeof(double) == 8 && sizeof(int64_t) == 8, "8-byte array elements");

namespace {

constexpr uint8_t kModelMagic[4] = {'C', 'S', 'G', 'M'};
constexpr uint8_t kScalerMagic[4] = {'C', 'S', 'G', 'S'};
constexpr uint8_t kFlagModelNames = 1;
constexpr uint8_t kFlagOptionNames = 2;
constexpr uint8_t kFlagSample = 4;  // the sampling tail is present (options.sample > 0)
constexpr uint8_t kFlagTransform = 8;  // option "transform" set: codes and lambdas present
constexpr uint8_t kFlagClip = 16;      // option "clip" set: quantiles and bounds present
constexpr uint8_t kFlagDeciles = 32;   // training deciles and shares present
// The projection tail is present: variance[2], variance_ratio[2], mean[dims],
// components[2 * dims] (pca.hpp), after the sampling tail.
constexpr uint8_t kFlagProjection = 64;
constexpr uint8_t kAllFlags = kFlagModelNames | kFlagOptionNames | kFlagSample |
                              kFlagTransform | kFlagClip | kFlagDeciles | kFlagProjection;
// Flags of the categorical header.
constexpr uint8_t kCatFlagNames = 1;
constexpr uint8_t kCatFlagOptionGamma = 2;
constexpr uint8_t kCatFlagOptionNames = 4;

// Header field offsets (see model_codec.hpp).
enum ModelOffset : size_t {
    kOffMagic = 0,
    kOffVersion = 4,
    kOffAlgorithm = 5,
    kOffScale = 6,
    kOffInit = 7,
    kOffMissing = 8,
    kOffFlags = 9,
    kOffRefine = 10,
    kOffImpute = 11,
    kOffK = 12,
    kOffDims = 16,
    kOffNInit = 20,
    kOffMaxIter = 24,
    kOffNIter = 28,
    kOffTol = 32,
    kOffSeed = 40,
    kOffInertia = 48,
    kOffNRows = 56,
    kOffNSkipped = 64,
    kOffNamesBytes = 72,
    // The categorical header of a k-prototypes model:
    kOffCatDims = 80,
    kOffCatFlags = 84,
    kOffCatReserved = 85,
    kOffCatTotal = 88,
    kOffGamma = 96,
    kOffOptionGamma = 104,
    kOffCost = 112,
    kOffCatNamesBytes = 120,
    kOffCatTextBytes = 128,
};
enum ScalerOffset : size_t {
    kSOffMagic = 0,
    kSOffVersion = 4,
    kSOffMethod = 5,
    kSOffReserved1 = 6,
    kSOffDims = 8,
    kSOffReserved2 = 12,
};

// Reads a T from p (no alignment needed; the host is little-endian).
template <class T>
T load(const uint8_t* p) {
    T x;
    std::memcpy(&x, p, sizeof x);
    return x;
}

// Writes x to p.
template <class T>
void store(uint8_t* p, T x) {
    std::memcpy(p, &x, sizeof x);
}

// Overflow-checked running byte count; `ok` turns false on the first overflow.
struct SizeCounter {
    size_t bytes = 0;
    bool ok = true;

    // Reserves count elements of elem_size bytes; returns their offset.
    size_t take(uint64_t count, size_t elem_size) {
        size_t n = 0;
        if (count > std::numeric_limits<size_t>::max() ||
            __builtin_mul_overflow(size_t(count), elem_size, &n) ||
            __builtin_add_overflow(bytes, n, &bytes))
            ok = false;
        return ok ? bytes - n : 0;
    }

    // Reserves count 4-byte elements and pads to a multiple of 8; returns their offset.
    size_t take4_padded(uint64_t count) {
        const size_t at = take(count, 4);
        take(bytes % 8 == 0 ? 0 : 8 - bytes % 8, 1);
        return at;
    }
};

// The counts of a k-prototypes model's categorical header that fix its layout.
struct CategoricalCounts {
    int32_t dims;         // q
    uint64_t total;       // V, categories of all attributes
    uint64_t names_bytes; // categorical name section
    uint64_t text_bytes;  // category text
};

// Where each part of an encoded model starts (the categorical parts only for k-prototypes).
struct ModelLayout {
    size_t center, scale, centroids, sizes, mean_distance, feature_mean, feature_std, impute, names,
        total;
    size_t transform, lambdas, clip_q, clip_lo, clip_hi, deciles, decile_shares;  // the pipeline
    size_t mode_share, vocab_start, vocab_offset, modes, cat_impute, cat_names, cat_text;
    size_t sampling;    // the sampling tail (options.sample, n_seen), or the end
    size_t projection;  // the projection tail, or the end
    bool ok;
};

// Computes the layout from the header's counts (cat = nullptr for k-means); ok = false on
// size_t overflow.
ModelLayout model_layout(int32_t k, int32_t dims, bool has_impute, uint64_t names_bytes,
                         const CategoricalCounts* cat, uint8_t flags) {
    const uint64_t uk = uint64_t(k), ud = uint64_t(dims);
    SizeCounter c;
    ModelLayout l{};
    c.take(kModelHeaderSize + (cat != nullptr ? kCategoricalHeaderSize : 0), 1);
    l.center = c.take(ud, 8);
    l.scale = c.take(ud, 8);
    l.centroids = c.take(uk * ud, 8);  // both < 2^31: no uint64 overflow
    l.sizes = c.take(uk, 8);
    l.mean_distance = c.take(uk, 8);
    l.feature_mean = c.take(ud, 8);
    l.feature_std = c.take(ud, 8);
    l.impute = c.take(has_impute ? ud : 0, 8);
    const bool transform = (flags & kFlagTransform) != 0, clip = (flags & kFlagClip) != 0,
               deciles = (flags & kFlagDeciles) != 0;
    l.transform = c.take(transform ? (ud + 7) / 8 : 0, 8);  // one byte per feature, padded
    l.lambdas = c.take(transform ? ud : 0, 8);
    l.clip_q = c.take(clip ? 2 : 0, 8);
    l.clip_lo = c.take(clip ? ud : 0, 8);
    l.clip_hi = c.take(clip ? ud : 0, 8);
    l.deciles = c.take(deciles ? ud * kDecileCuts : 0, 8);
    l.decile_shares = c.take(deciles ? ud * kDecileBins : 0, 8);
    if (cat != nullptr) {
        const uint64_t uq = uint64_t(cat->dims);
        l.mode_share = c.take(uk * uq, 8);
        l.vocab_start = c.take(uq + 1, 8);
        // V + 1 must not wrap; a V that large fails the length check anyway.
        l.vocab_offset = c.take(cat->total < (uint64_t(1) << 60) ? cat->total + 1 : cat->total, 8);
        if (cat->total >= (uint64_t(1) << 60)) c.ok = false;
        l.modes = c.take4_padded(uk * uq);
        l.cat_impute = c.take4_padded(has_impute ? uq : 0);
    }
    l.names = c.take(names_bytes, 1);
    if (cat != nullptr) {
        l.cat_names = c.take(cat->names_bytes, 1);
        l.cat_text = c.take(cat->text_bytes, 1);
    }
    l.sampling = c.take((flags & kFlagSample) ? 2 : 0, 8);  // not 8-aligned: read with load()
    l.projection = c.take((flags & kFlagProjection) ? 4 + 3 * ud : 0, 8);  // likewise
    l.total = c.bytes;
    l.ok = c.ok;
    return l;
}

// Bytes of the name section for one list: dims * (4-byte length + bytes).
uint64_t names_section_bytes(const std::vector<std::string>& names) {
    uint64_t n = 0;
    for (const std::string& s : names) {
        if (s.size() > std::numeric_limits<uint32_t>::max())
            throw Error(ErrorKind::ProgramLimit, "a feature name is longer than 4 GB");
        n += 4 + uint64_t(s.size());
    }
    return n;
}

// The header facts every reader needs, after full checking.
struct ModelHeader {
    ModelAlgorithm algorithm;
    int32_t k, dims;
    uint8_t flags;
    bool has_impute;
    uint64_t names_bytes;
    uint8_t cat_flags;       // k-prototypes only
    CategoricalCounts cat;   // k-prototypes only
    ModelLayout layout;
    // The kind section (kinds with arrays): where each array's values start, and its rows.
    std::vector<KindArraySpec> specs;
    std::vector<size_t> kind_at;
    std::vector<int64_t> kind_rows;
};

// Columns of a kind array in a model of k clusters and dims features.
uint64_t kind_cols(const KindArraySpec& s, int32_t k, int32_t dims) {
    return s.cols == KindExtent::K ? uint64_t(k) : s.cols == KindExtent::Dims ? uint64_t(dims) : 1;
}

// Fixed rows of a kind array, or -1 for a free count.
int64_t kind_fixed_rows(const KindArraySpec& s, int32_t k, int32_t dims) {
    switch (s.rows) {
        case KindExtent::One:
            return 1;
        case KindExtent::K:
            return k;
        case KindExtent::Dims:
            return dims;
        case KindExtent::Free:
            break;
    }
    return -1;
}

// The common part's end rounded up to 8: where the kind section starts.
size_t kind_section_start(size_t common_end) { return (common_end + 7) / 8 * 8; }

// Reads the kind section's row counts from [start, len) and checks that the arrays fill it
// exactly; throws Error(kind) naming the problem.
void read_kind_section(const uint8_t* data, size_t len, size_t start, ModelHeader& h,
                       ErrorKind kind) {
    auto fail = [kind](const std::string& what) {
        throw Error(kind, "invalid segmodel binary value: " + what);
    };
    if (h.specs.size() > size_t(ModelView::kMaxKindArrays))
        throw Error(ErrorKind::Internal, "a model kind declares too many arrays");
    size_t at = start;
    for (const KindArraySpec& s : h.specs) {
        if (len < at || len - at < 8) fail(std::string("the kind section is truncated at ") + s.name);
        const int64_t rows = load<int64_t>(data + at);
        const int64_t fixed = kind_fixed_rows(s, h.k, h.dims);
        if (rows < 0 || (fixed >= 0 && rows != fixed))
            fail(std::string(s.name) + " has " + std::to_string(rows) + " rows");
        at += 8;
        uint64_t bytes = 0;
        if (__builtin_mul_overflow(uint64_t(rows), kind_cols(s, h.k, h.dims), &bytes) ||
            __builtin_mul_overflow(bytes, uint64_t(8), &bytes) || bytes > len - at)
            fail(std::string("the kind section is truncated at ") + s.name);
        h.kind_at.push_back(at);
        h.kind_rows.push_back(rows);
        at += size_t(bytes);
    }
    if (at != len)
        fail("length " + std::to_string(len) + " does not match the kind section (" +
             std::to_string(at) + " bytes)");
}

// Checks the header and the total length; throws Error(kind) naming the problem.
ModelHeader read_model_header(const uint8_t* data, size_t len, ErrorKind kind) {
    auto fail = [kind](const std::string& what) {
        throw Error(kind, "invalid segmodel binary value: " + what);
    };
    if (data == nullptr || len < kModelHeaderSize)
        fail("truncated: " + std::to_string(len) + " bytes, the header alone has " +
             std::to_string(kModelHeaderSize));
    if (std::memcmp(data + kOffMagic, kModelMagic, 4) != 0) fail("wrong magic number");
    if (data[kOffVersion] != Model::kFormatVersion)
        fail("unsupported format version " + std::to_string(data[kOffVersion]) + " (expected " +
             std::to_string(Model::kFormatVersion) + ")");
    const ModelKind* model_kind = find_model_kind(data[kOffAlgorithm]);
    if (model_kind == nullptr)
        fail("unsupported algorithm code " + std::to_string(data[kOffAlgorithm]));
    if (data[kOffScale] > uint8_t(ScaleMethod::None))
        fail("unknown scale method code " + std::to_string(data[kOffScale]));
    if (data[kOffInit] > uint8_t(InitMethod::Random))
        fail("unknown init method code " + std::to_string(data[kOffInit]));
    if (data[kOffMissing] > uint8_t(MissingPolicy::Impute))
        fail("unknown missing policy code " + std::to_string(data[kOffMissing]));
    ModelHeader h{};
    h.algorithm = ModelAlgorithm(data[kOffAlgorithm]);
    h.flags = data[kOffFlags];
    if ((h.flags & ~kAllFlags) != 0) fail("unknown flags " + std::to_string(h.flags));
    if (data[kOffRefine] > uint8_t(RefineMethod::None))
        fail("unknown refine method code " + std::to_string(data[kOffRefine]));
    if (data[kOffImpute] > uint8_t(ImputeMethod::Zero))
        fail("unknown impute method code " + std::to_string(data[kOffImpute]));
    h.k = load<int32_t>(data + kOffK);
    h.dims = load<int32_t>(data + kOffDims);
    if (h.k < 1) fail("k must be at least 1, got " + std::to_string(h.k));
    if (h.dims < 1) fail("dims must be at least 1, got " + std::to_string(h.dims));
    h.has_impute = data[kOffMissing] == uint8_t(MissingPolicy::Impute);
    h.names_bytes = load<uint64_t>(data + kOffNamesBytes);
    const bool kprototypes = h.algorithm == ModelAlgorithm::KPrototypes;
    if (kprototypes) {
        if (len < kModelHeaderSize + kCategoricalHeaderSize)
            fail("truncated: " + std::to_string(len) + " bytes, the k-prototypes header alone has " +
                 std::to_string(kModelHeaderSize + kCategoricalHeaderSize));
        h.cat_flags = data[kOffCatFlags];
        if ((h.cat_flags & ~(kCatFlagNames | kCatFlagOptionGamma | kCatFlagOptionNames)) != 0)
            fail("unknown categorical flags " + std::to_string(h.cat_flags));
        if (data[kOffCatReserved] != 0 || data[kOffCatReserved + 1] != 0 ||
            data[kOffCatReserved + 2] != 0)
            fail("reserved categorical header bytes are not zero");
        h.cat.dims = load<int32_t>(data + kOffCatDims);
        if (h.cat.dims < 1)
            fail("categorical dims must be at least 1, got " + std::to_string(h.cat.dims));
        h.cat.total = load<uint64_t>(data + kOffCatTotal);
        h.cat.names_bytes = load<uint64_t>(data + kOffCatNamesBytes);
        h.cat.text_bytes = load<uint64_t>(data + kOffCatTextBytes);
    }
    h.layout = model_layout(h.k, h.dims, h.has_impute, h.names_bytes, kprototypes ? &h.cat : nullptr,
                            h.flags);
    h.specs = model_kind->arrays();
    const size_t common_len =
        h.specs.empty() || !h.layout.ok || kind_section_start(h.layout.total) > len
            ? len
            : kind_section_start(h.layout.total);
    if (!h.layout.ok || h.layout.total > common_len ||
        (h.specs.empty() && h.layout.total != len))
        fail("length " + std::to_string(len) + " does not match the header (k = " +
             std::to_string(h.k) + ", dims = " + std::to_string(h.dims) +
             ", names = " + std::to_string(h.names_bytes) + " bytes" +
             (kprototypes ? ", categorical dims = " + std::to_string(h.cat.dims) +
                                ", categories = " + std::to_string(h.cat.total) + ")"
                          : std::string(")")));
    if (!h.specs.empty()) {
        for (size_t at = h.layout.total; at < common_len; ++at)
            if (data[at] != 0) fail("padding bytes are not zero");
        read_kind_section(data, len, common_len, h, kind);
    }
    return h;
}

// Bytes of the kind section of a (validated) model, 0 when its kind has no arrays.
uint64_t kind_section_bytes(const Model& m, const std::vector<KindArraySpec>& specs) {
    uint64_t n = 0;
    for (size_t i = 0; i < specs.size(); ++i) {
        uint64_t bytes = 0;
        if (__builtin_mul_overflow(uint64_t(m.kind_arrays[i].rows),
                                   kind_cols(specs[i], m.k, m.dims), &bytes) ||
            __builtin_mul_overflow(bytes, uint64_t(8), &bytes) ||
            __builtin_add_overflow(n, bytes + 8, &n))
            throw Error(ErrorKind::ProgramLimit, "segmodel is too large to encode");
    }
    return n;
}

// Checks the category index of a k-prototypes model: vocab_start runs from 0 to V without
// decreasing, each attribute has a category, vocab_offset runs from 0 to the text length
// without decreasing, and every mode / impute code lies inside its attribute. Guarantees
// that every index a reader takes stays inside the value.
void check_category_index(const uint8_t* data, const ModelHeader& h, ErrorKind kind) {
    auto fail = [kind](const std::string& what) {
        throw Error(kind, "invalid segmodel binary value: " + what);
    };
    const ModelLayout& l = h.layout;
    const size_t q = size_t(h.cat.dims);
    int64_t prev = 0;
    for (size_t j = 0; j <= q; ++j) {
        const int64_t v = load<int64_t>(data + l.vocab_start + 8 * j);
        if ((j == 0 && v != 0) || (j > 0 && v <= prev) ||
            (j == q && uint64_t(v) != h.cat.total))
            fail("the category index of attribute " + std::to_string(j + 1) + " is inconsistent");
        prev = v;
    }
    prev = 0;
    for (uint64_t v = 0; v <= h.cat.total; ++v) {
        const int64_t o = load<int64_t>(data + l.vocab_offset + 8 * v);
        if ((v == 0 && o != 0) || o < prev || (v == h.cat.total && uint64_t(o) != h.cat.text_bytes))
            fail("the category text offsets are inconsistent");
        prev = o;
    }
    auto check_code = [&](size_t at, size_t j, const char* what) {
        const int32_t code = load<int32_t>(data + at);
        const int64_t count = load<int64_t>(data + l.vocab_start + 8 * (j + 1)) -
                              load<int64_t>(data + l.vocab_start + 8 * j);
        if (code < 0 || code >= count)
            fail(std::string(what) + " code out of range for attribute " + std::to_string(j + 1));
    };
    for (size_t i = 0; i < size_t(h.k) * q; ++i) check_code(l.modes + 4 * i, i % q, "mode");
    if (h.has_impute)
        for (size_t j = 0; j < q; ++j) check_code(l.cat_impute + 4 * j, j, "categorical impute");
}

// Copies n 8-byte values starting at data + offset.
template <class T>
std::vector<T> load_array(const uint8_t* data, size_t offset, size_t n) {
    std::vector<T> v(n);
    if (n > 0) std::memcpy(v.data(), data + offset, n * sizeof(T));
    return v;
}

// Copies n values to out + offset.
template <class T>
void store_array(uint8_t* out, size_t offset, const std::vector<T>& v) {
    if (!v.empty()) std::memcpy(out + offset, v.data(), v.size() * sizeof(T));
}

// Reads `count` length-prefixed strings from [p, end), advancing p; throws on overrun.
std::vector<std::string> load_names(const uint8_t*& p, const uint8_t* end, size_t count,
                                    ErrorKind kind) {
    std::vector<std::string> names;
    for (size_t i = 0; i < count; ++i) {
        if (end - p < 4) throw Error(kind, "invalid segmodel binary value: name section truncated");
        const uint32_t n = load<uint32_t>(p);
        p += 4;
        if (size_t(end - p) < n)
            throw Error(kind, "invalid segmodel binary value: name section truncated");
        names.emplace_back(reinterpret_cast<const char*>(p), n);
        p += n;
    }
    return names;
}

// Writes length-prefixed strings at p, advancing it.
void store_names(uint8_t*& p, const std::vector<std::string>& names) {
    for (const std::string& s : names) {
        store<uint32_t>(p, uint32_t(s.size()));
        p += 4;
        if (!s.empty()) std::memcpy(p, s.data(), s.size());
        p += s.size();
    }
}

// Bytes of the whole name section of a (validated) model.
uint64_t model_names_bytes(const Model& m) {
    return names_section_bytes(m.feature_names) +
           (m.options.has_feature_names ? names_section_bytes(m.options.feature_names) : 0);
}

// The categorical counts of a (validated) k-prototypes model.
CategoricalCounts categorical_counts(const Model& m) {
    CategoricalCounts c{m.categorical.dims, 0,
                        names_section_bytes(m.categorical.names) +
                            (m.options.has_categorical_names
                                 ? names_section_bytes(m.options.categorical_names)
                                 : 0),
                        0};
    for (const std::vector<std::string>& vocab : m.categorical.categories) {
        c.total += vocab.size();
        for (const std::string& s : vocab) c.text_bytes += s.size();
    }
    return c;
}

// The header flags of a (validated) model.
uint8_t model_flags(const Model& m) {
    return uint8_t((m.feature_names.empty() ? 0 : kFlagModelNames) |
                   (m.options.has_feature_names ? kFlagOptionNames : 0) |
                   (m.options.sample > 0 ? kFlagSample : 0) |
                   (m.options.transform.empty() ? 0 : kFlagTransform) |
                   (m.options.has_clip ? kFlagClip : 0) |
                   (m.pipeline.deciles.empty() ? 0 : kFlagDeciles) |
                   (has_projection(m.projection) ? kFlagProjection : 0));
}

// Writes the pipeline's arrays (zeroing the padding after the transform codes).
void encode_pipeline(const Model& m, const ModelLayout& l, uint8_t* out) {
    const size_t d = size_t(m.dims);
    if (!m.options.transform.empty()) {
        std::memset(out + l.transform, 0, l.lambdas - l.transform);
        for (size_t j = 0; j < d; ++j) out[l.transform + j] = uint8_t(m.options.transform[j]);
        if (m.pipeline.transform.empty())
            std::memset(out + l.lambdas, 0, 8 * d);
        else
            store_array(out, l.lambdas, m.pipeline.lambdas);
    }
    if (m.options.has_clip) {
        store<double>(out + l.clip_q, m.options.clip_lo);
        store<double>(out + l.clip_q + 8, m.options.clip_hi);
        store_array(out, l.clip_lo, m.pipeline.clip_lo);
        store_array(out, l.clip_hi, m.pipeline.clip_hi);
    }
    store_array(out, l.deciles, m.pipeline.deciles);
    store_array(out, l.decile_shares, m.pipeline.decile_shares);
}

// Reads the pipeline's arrays of a checked header into the model.
void decode_pipeline(const uint8_t* data, const ModelHeader& h, ErrorKind kind, Model& m) {
    const ModelLayout& l = h.layout;
    const size_t d = size_t(h.dims);
    m.options.impute = ImputeMethod(data[kOffImpute]);
    if (h.flags & kFlagTransform) {
        for (size_t j = 0; j < d; ++j) {
            if (data[l.transform + j] > uint8_t(FeatureTransform::YeoJohnson))
                throw Error(kind, "invalid segmodel binary value: unknown transform code");
            m.options.transform.push_back(FeatureTransform(data[l.transform + j]));
        }
        for (size_t at = l.transform + d; at < l.lambdas; ++at)
            if (data[at] != 0)
                throw Error(kind, "invalid segmodel binary value: padding bytes are not zero");
        if (std::any_of(m.options.transform.begin(), m.options.transform.end(),
                        [](FeatureTransform t) { return t != FeatureTransform::None; })) {
            m.pipeline.transform = m.options.transform;
            m.pipeline.lambdas = load_array<double>(data, l.lambdas, d);
        } else {
            for (size_t at = l.lambdas; at < l.lambdas + 8 * d; ++at)
                if (data[at] != 0)
                    throw Error(kind, "invalid segmodel binary value: lambdas of \"none\" "
                                      "transforms are not zero");
        }
    }
    if (h.flags & kFlagClip) {
        m.options.has_clip = true;
        m.options.clip_lo = load<double>(data + l.clip_q);
        m.options.clip_hi = load<double>(data + l.clip_q + 8);
        m.pipeline.clip_lo = load_array<double>(data, l.clip_lo, d);
        m.pipeline.clip_hi = load_array<double>(data, l.clip_hi, d);
    }
    if (h.flags & kFlagDeciles) {
        m.pipeline.deciles = load_array<double>(data, l.deciles, d * kDecileCuts);
        m.pipeline.decile_shares = load_array<double>(data, l.decile_shares, d * kDecileBins);
    }
}

// The layout of a model to encode, after validating it.
ModelLayout checked_layout(const Model& m) {
    validate_model(m, ErrorKind::Internal);
    const bool kprototypes = m.algorithm == ModelAlgorithm::KPrototypes;
    const CategoricalCounts cat = kprototypes ? categorical_counts(m) : CategoricalCounts{};
    const ModelLayout l = model_layout(m.k, m.dims, m.options.missing == MissingPolicy::Impute,
                                       model_names_bytes(m), kprototypes ? &cat : nullptr,
                                       model_flags(m));
    if (!l.ok) throw Error(ErrorKind::ProgramLimit, "segmodel is too large to encode");
    return l;
}

// Writes the categorical header and arrays of a validated k-prototypes model.
void encode_categorical(const Model& m, const ModelLayout& l, uint8_t* out) {
    const CategoricalPart& c = m.categorical;
    const CategoricalCounts counts = categorical_counts(m);
    store<int32_t>(out + kOffCatDims, c.dims);
    out[kOffCatFlags] = uint8_t((c.names.empty() ? 0 : kCatFlagNames) |
                                (m.options.has_gamma ? kCatFlagOptionGamma : 0) |
                                (m.options.has_categorical_names ? kCatFlagOptionNames : 0));
    store<uint64_t>(out + kOffCatTotal, counts.total);
    store<double>(out + kOffGamma, c.gamma);
    store<double>(out + kOffOptionGamma, m.options.gamma);
    store<double>(out + kOffCost, c.cost);
    store<uint64_t>(out + kOffCatNamesBytes, counts.names_bytes);
    store<uint64_t>(out + kOffCatTextBytes, counts.text_bytes);
    store_array(out, l.mode_share, c.mode_share);
    int64_t start = 0, offset = 0;
    size_t v = 0;
    for (size_t j = 0; j < c.categories.size(); ++j) {
        store<int64_t>(out + l.vocab_start + 8 * j, start);
        for (const std::string& s : c.categories[j]) {
            store<int64_t>(out + l.vocab_offset + 8 * v, offset);
            if (!s.empty()) std::memcpy(out + l.cat_text + offset, s.data(), s.size());
            offset += int64_t(s.size());
            ++v;
        }
        start += int64_t(c.categories[j].size());
    }
    store<int64_t>(out + l.vocab_start + 8 * c.categories.size(), start);
    store<int64_t>(out + l.vocab_offset + 8 * v, offset);
    store_array(out, l.modes, c.modes);
    if (m.options.missing == MissingPolicy::Impute) store_array(out, l.cat_impute, c.impute);
    uint8_t* p = out + l.cat_names;
    store_names(p, c.names);
    if (m.options.has_categorical_names) store_names(p, m.options.categorical_names);
}

// Reads the categorical part of a k-prototypes model whose header and index were checked.
void decode_categorical(const uint8_t* data, const ModelHeader& h, ErrorKind kind, Model& m) {
    const ModelLayout& l = h.layout;
    const size_t k = size_t(h.k), q = size_t(h.cat.dims);
    // The padding after the int32 arrays must be zero: every accepted value is canonical.
    const size_t modes_end = l.modes + 4 * k * q;
    const size_t impute_end = l.cat_impute + (h.has_impute ? 4 * q : 0);
    for (size_t at = modes_end; at < l.names; ++at)
        if ((at < l.cat_impute || at >= impute_end) && data[at] != 0)
            throw Error(kind, "invalid segmodel binary value: padding bytes are not zero");
    CategoricalPart& c = m.categorical;
    c.dims = h.cat.dims;
    c.gamma = load<double>(data + kOffGamma);
    c.cost = load<double>(data + kOffCost);
    m.options.has_gamma = (h.cat_flags & kCatFlagOptionGamma) != 0;
    m.options.gamma = load<double>(data + kOffOptionGamma);
    m.options.has_categorical_names = (h.cat_flags & kCatFlagOptionNames) != 0;
    c.mode_share = load_array<double>(data, l.mode_share, k * q);
    const std::vector<int64_t> start = load_array<int64_t>(data, l.vocab_start, q + 1);
    const std::vector<int64_t> offset = load_array<int64_t>(data, l.vocab_offset, h.cat.total + 1);
    c.categories.resize(q);
    for (size_t j = 0; j < q; ++j)
        for (int64_t v = start[j]; v < start[j + 1]; ++v)
            c.categories[j].emplace_back(
                reinterpret_cast<const char*>(data + l.cat_text + offset[size_t(v)]),
                size_t(offset[size_t(v) + 1] - offset[size_t(v)]));
    c.modes = load_array<int32_t>(data, l.modes, k * q);
    if (h.has_impute) c.impute = load_array<int32_t>(data, l.cat_impute, q);
    const uint8_t* p = data + l.cat_names;
    const uint8_t* end = data + l.cat_text;
    if (h.cat_flags & kCatFlagNames) c.names = load_names(p, end, q, kind);
    if (h.cat_flags & kCatFlagOptionNames) m.options.categorical_names = load_names(p, end, q, kind);
    if (p != end)
        throw Error(kind, "invalid segmodel binary value: " + std::to_string(end - p) +
                              " unused bytes in the categorical name section");
}

// Throws Error(kind) for a scaler header/length problem.
[[noreturn]] void scaler_fail(ErrorKind kind, const std::string& what) {
    throw Error(kind, "invalid segscaler binary value: " + what);
}

}  // namespace

// Size of the binary encoding of a model.
size_t model_encoded_size(const Model& m) {
    const size_t common = checked_layout(m).total;
    const std::vector<KindArraySpec> specs = model_kind(m.algorithm).arrays();
    if (specs.empty()) return common;
    const uint64_t extra = kind_section_bytes(m, specs);
    size_t total = 0;
    if (__builtin_add_overflow(kind_section_start(common), extra, &total))
        throw Error(ErrorKind::ProgramLimit, "segmodel is too large to encode");
    return total;
}

// Writes the binary encoding of a model.
void model_encode(const Model& m, uint8_t* out) {
    const ModelLayout l = checked_layout(m);
    const bool kprototypes = m.algorithm == ModelAlgorithm::KPrototypes;
    std::memset(out, 0, kModelHeaderSize + (kprototypes ? kCategoricalHeaderSize : 0));
    std::memcpy(out + kOffMagic, kModelMagic, 4);
    out[kOffVersion] = uint8_t(Model::kFormatVersion);
    out[kOffAlgorithm] = uint8_t(m.algorithm);
    out[kOffScale] = uint8_t(m.options.scale);
    out[kOffInit] = uint8_t(m.options.init);
    out[kOffMissing] = uint8_t(m.options.missing);
    out[kOffRefine] = uint8_t(m.options.refine);
    out[kOffImpute] = uint8_t(m.options.impute);
    out[kOffFlags] = model_flags(m);
    store<int32_t>(out + kOffK, m.k);
    store<int32_t>(out + kOffDims, m.dims);
    store<int32_t>(out + kOffNInit, m.options.n_init);
    store<int32_t>(out + kOffMaxIter, m.options.max_iter);
    store<int32_t>(out + kOffNIter, m.n_iter);
    store<double>(out + kOffTol, m.options.tol);
    store<uint64_t>(out + kOffSeed, m.options.seed);
    store<double>(out + kOffInertia, m.inertia);
    store<int64_t>(out + kOffNRows, m.n_rows);
    store<int64_t>(out + kOffNSkipped, m.n_skipped);
    store<uint64_t>(out + kOffNamesBytes, model_names_bytes(m));
    store_array(out, l.center, m.scaler.center);
    store_array(out, l.scale, m.scaler.scale);
    store_array(out, l.centroids, m.centroids);
    store_array(out, l.sizes, m.sizes);
    store_array(out, l.mean_distance, m.mean_distance);
    store_array(out, l.feature_mean, m.feature_mean);
    store_array(out, l.feature_std, m.feature_std);
    if (m.options.missing == MissingPolicy::Impute) store_array(out, l.impute, m.impute);
    encode_pipeline(m, l, out);
    if (kprototypes) {
        // The int32 arrays end with padding: zero it (the feature names follow it).
        std::memset(out + l.modes, 0, l.names - l.modes);
        encode_categorical(m, l, out);
    }
    uint8_t* p = out + l.names;
    store_names(p, m.feature_names);
    if (m.options.has_feature_names) store_names(p, m.options.feature_names);
    if (m.options.sample > 0) {
        store<int64_t>(out + l.sampling, m.options.sample);
        store<int64_t>(out + l.sampling + 8, m.n_seen);
    }
    if (has_projection(m.projection)) {
        const Projection& pr = m.projection;
        size_t at = l.projection;
        for (const std::vector<double>* v : {&pr.variance, &pr.variance_ratio, &pr.mean, &pr.components})
            for (double x : *v) store<double>(out + at, x), at += 8;
    }
    const std::vector<KindArraySpec> specs = model_kind(m.algorithm).arrays();
    if (specs.empty()) return;
    size_t at = kind_section_start(l.total);
    std::memset(out + l.total, 0, at - l.total);
    for (size_t i = 0; i < specs.size(); ++i) {
        const KindArray& a = m.kind_arrays[i];
        store<int64_t>(out + at, a.rows);
        at += 8;
        if (specs[i].integer) {
            store_array(out, at, a.integers);
            at += 8 * a.integers.size();
        } else {
            store_array(out, at, a.values);
            at += 8 * a.values.size();
        }
    }
}

// Decodes and validates a binary model.
Model model_decode(const uint8_t* data, size_t len, ErrorKind kind) {
    const ModelHeader h = read_model_header(data, len, kind);
    const ModelLayout& l = h.layout;
    const size_t k = size_t(h.k), d = size_t(h.dims);
    Model m;
    m.algorithm = h.algorithm;
    m.k = h.k;
    m.dims = h.dims;
    m.options.scale = ScaleMethod(data[kOffScale]);
    m.options.init = InitMethod(data[kOffInit]);
    m.options.missing = MissingPolicy(data[kOffMissing]);
    m.options.refine = RefineMethod(data[kOffRefine]);
    m.options.n_init = load<int32_t>(data + kOffNInit);
    m.options.max_iter = load<int32_t>(data + kOffMaxIter);
    m.options.tol = load<double>(data + kOffTol);
    m.options.seed = load<uint64_t>(data + kOffSeed);
    m.options.has_feature_names = (h.flags & kFlagOptionNames) != 0;
    m.n_iter = load<int32_t>(data + kOffNIter);
    m.inertia = load<double>(data + kOffInertia);
    m.n_rows = load<int64_t>(data + kOffNRows);
    m.n_skipped = load<int64_t>(data + kOffNSkipped);
    m.scaler.method = m.options.scale;
    m.scaler.center = load_array<double>(data, l.center, d);
    m.scaler.scale = load_array<double>(data, l.scale, d);
    m.centroids = load_array<double>(data, l.centroids, k * d);
    m.sizes = load_array<int64_t>(data, l.sizes, k);
    m.mean_distance = load_array<double>(data, l.mean_distance, k);
    m.feature_mean = load_array<double>(data, l.feature_mean, d);
    m.feature_std = load_array<double>(data, l.feature_std, d);
    if (h.has_impute) m.impute = load_array<double>(data, l.impute, d);
    decode_pipeline(data, h, kind, m);
    const uint8_t* p = data + l.names;
    const uint8_t* end =
        h.algorithm == ModelAlgorithm::KPrototypes ? data + l.cat_names : data + l.sampling;
    if (h.flags & kFlagModelNames) m.feature_names = load_names(p, end, d, kind);
    if (h.flags & kFlagOptionNames) m.options.feature_names = load_names(p, end, d, kind);
    if (p != end)
        throw Error(kind, "invalid segmodel binary value: " + std::to_string(end - p) +
                              " unused bytes in the name section");
    if (h.algorithm == ModelAlgorithm::KPrototypes) {
        check_category_index(data, h, kind);
        decode_categorical(data, h, kind, m);
    }
    if (h.flags & kFlagSample) {
        m.options.sample = load<int64_t>(data + l.sampling);
        m.n_seen = load<int64_t>(data + l.sampling + 8);
        if (m.options.sample < 1)
            throw Error(kind, "invalid segmodel binary value: the sampling section has sample = " +
                                  std::to_string(m.options.sample));
    }
    if (h.flags & kFlagProjection) {
        Projection& pr = m.projection;
        size_t at = l.projection;
        const size_t counts[4] = {2, 2, size_t(d), 2 * size_t(d)};
        std::vector<double>* parts[4] = {&pr.variance, &pr.variance_ratio, &pr.mean, &pr.components};
        for (int i = 0; i < 4; ++i)
            for (size_t j = 0; j < counts[i]; ++j) parts[i]->push_back(load<double>(data + at)), at += 8;
    }
    for (size_t i = 0; i < h.specs.size(); ++i) {
        KindArray a;
        a.rows = h.kind_rows[i];
        const size_t n = size_t(a.rows) * size_t(kind_cols(h.specs[i], h.k, h.dims));
        if (h.specs[i].integer)
            a.integers = load_array<int64_t>(data, h.kind_at[i], n);
        else
            a.values = load_array<double>(data, h.kind_at[i], n);
        m.kind_arrays.push_back(std::move(a));
    }
    if (!h.specs.empty()) model_kind(m.algorithm, kind).restore_options(m);
    validate_model(m, kind);
    return m;
}

// Points into an encoded model after checking its header and lengths.
ModelView model_view(const uint8_t* data, size_t len) {
    if (reinterpret_cast<uintptr_t>(data) % 8 != 0)
        throw Error(ErrorKind::Internal, "segmodel binary value is not 8-byte aligned");
    const ModelHeader h = read_model_header(data, len, ErrorKind::Internal);
    const ModelLayout& l = h.layout;
    auto doubles = [data](size_t offset) { return reinterpret_cast<const double*>(data + offset); };
    ModelView v{};
    v.k = h.k;
    v.dims = h.dims;
    v.center = doubles(l.center);
    v.scale = doubles(l.scale);
    v.centroids = doubles(l.centroids);
    v.impute = h.has_impute ? doubles(l.impute) : nullptr;
    v.sizes = reinterpret_cast<const int64_t*>(data + l.sizes);
    v.mean_distance = doubles(l.mean_distance);
    v.algorithm = h.algorithm;
    if (h.flags & kFlagTransform) {
        const uint8_t* codes = data + l.transform;
        if (std::any_of(codes, codes + h.dims, [](uint8_t t) { return t != 0; })) {
            v.transform = codes;
            v.lambdas = doubles(l.lambdas);
            const int32_t n_log1p = int32_t(std::count(codes, codes + h.dims,
                                                       uint8_t(FeatureTransform::Log1p)));
            if (n_log1p <= ModelView::kMaxLog1pIndex)
                for (int32_t j = 0; j < h.dims; ++j)
                    if (codes[j] == uint8_t(FeatureTransform::Log1p)) v.log1p_index[v.n_log1p++] = j;
        }
    }
    if (h.flags & kFlagClip) {
        v.clip_lo = doubles(l.clip_lo);
        v.clip_hi = doubles(l.clip_hi);
    }
    if (h.flags & kFlagDeciles) {
        v.deciles = doubles(l.deciles);
        v.decile_shares = doubles(l.decile_shares);
    }
    v.names = (h.flags & kFlagModelNames) ? data + l.names : nullptr;
    v.names_end = data + l.names + h.names_bytes;
    if (h.algorithm == ModelAlgorithm::KPrototypes) {
        check_category_index(data, h, ErrorKind::Internal);
        v.cat_dims = h.cat.dims;
        v.vocab_start = reinterpret_cast<const int64_t*>(data + l.vocab_start);
        v.vocab_offset = reinterpret_cast<const int64_t*>(data + l.vocab_offset);
        v.cat_text = reinterpret_cast<const char*>(data + l.cat_text);
        v.modes = reinterpret_cast<const int32_t*>(data + l.modes);
        v.mode_share = doubles(l.mode_share);
        v.cat_impute = h.has_impute ? reinterpret_cast<const int32_t*>(data + l.cat_impute) : nullptr;
        v.gamma = load<double>(data + kOffGamma);
        v.cat_names = (h.cat_flags & kCatFlagNames) ? data + l.cat_names : nullptr;
        v.cat_names_end = data + l.cat_text;
    }
    v.projection = (h.flags & kFlagProjection) ? data + l.projection : nullptr;
    v.n_kind_arrays = int32_t(h.specs.size());
    for (size_t i = 0; i < h.specs.size(); ++i) {
        v.kind_array[i] = data + h.kind_at[i];
        v.kind_rows[i] = h.kind_rows[i];
    }
    return v;
}

// The j-th length-prefixed name of the view's name section.
std::string view_feature_name(const ModelView& v, int32_t j) {
    if (v.names == nullptr || j < 0 || j >= v.dims) return std::string();
    const uint8_t* p = v.names;
    for (int32_t i = 0; i < j; ++i) p += 4 + load<uint32_t>(p);
    return std::string(reinterpret_cast<const char*>(p + 4), load<uint32_t>(p));
}

// Size of the binary encoding of a scaler.
size_t scaler_encoded_size(const Scaler& s) {
    validate_scaler(s, ErrorKind::Internal);
    return kScalerHeaderSize + 16 * s.center.size();
}

// Writes the binary encoding of a scaler.
void scaler_encode(const Scaler& s, uint8_t* out) {
    validate_scaler(s, ErrorKind::Internal);
    if (uint8_t(s.method) > uint8_t(ScaleMethod::None))
        throw Error(ErrorKind::Internal, "scaler has an unknown method code");
    std::memset(out, 0, kScalerHeaderSize);
    std::memcpy(out + kSOffMagic, kScalerMagic, 4);
    out[kSOffVersion] = kScalerFormatVersion;
    out[kSOffMethod] = uint8_t(s.method);
    store<int32_t>(out + kSOffDims, s.dims());
    store_array(out, kScalerHeaderSize, s.center);
    store_array(out, kScalerHeaderSize + 8 * s.center.size(), s.scale);
}

// Decodes and validates a binary scaler.
Scaler scaler_decode(const uint8_t* data, size_t len, ErrorKind kind) {
    if (data == nullptr || len < kScalerHeaderSize)
        scaler_fail(kind, "truncated: " + std::to_string(len) + " bytes, the header alone has " +
                              std::to_string(kScalerHeaderSize));
    if (std::memcmp(data + kSOffMagic, kScalerMagic, 4) != 0)
        scaler_fail(kind, "wrong magic number");
    if (data[kSOffVersion] != kScalerFormatVersion)
        scaler_fail(kind, "unsupported format version " + std::to_string(data[kSOffVersion]));
    if (data[kSOffMethod] > uint8_t(ScaleMethod::None))
        scaler_fail(kind, "unknown scale method code " + std::to_string(data[kSOffMethod]));
    if (load<uint16_t>(data + kSOffReserved1) != 0 || load<uint32_t>(data + kSOffReserved2) != 0)
        scaler_fail(kind, "reserved header bytes are not zero");
    const int32_t dims = load<int32_t>(data + kSOffDims);
    if (dims < 1) scaler_fail(kind, "dims must be at least 1, got " + std::to_string(dims));
    // dims < 2^31, so 16 * dims fits any 64-bit size_t.
    if ((len - kScalerHeaderSize) / 16 != size_t(dims) || (len - kScalerHeaderSize) % 16 != 0)
        scaler_fail(kind, "length " + std::to_string(len) +
                              " does not match dims = " + std::to_string(dims));
    Scaler s;
    s.method = ScaleMethod(data[kSOffMethod]);
    s.center = load_array<double>(data, kScalerHeaderSize, size_t(dims));
    s.scale = load_array<double>(data, kScalerHeaderSize + 8 * size_t(dims), size_t(dims));
    validate_scaler(s, kind);
    return s;
}

}  // namespace cseg
