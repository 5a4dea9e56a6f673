// JSON text forms of segmodel/segscaler and the table-driven kmeans_fit / kprototypes_fit
// option parser.
#include "model_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "json.hpp"
#include "model_kind.hpp"

namespace cseg {

namespace {

// "a, b, c" from a list of names.
std::string join(const std::vector<const char*>& names) {
    std::string out;
    for (const char* n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

// A short rendering of a JSON value for "Got ..." details.
std::string describe(const Json& v) {
    constexpr size_t kMaxShown = 60;
    std::string shown;
    if (v.is_number()) {
        shown = v.text();
    } else if (v.is_string()) {
        JsonWriter w;
        w.string(v.text());
        shown = w.take();
    } else if (v.is_bool()) {
        shown = v.bool_value() ? "true" : "false";
    } else {
        return json_type_name(v.type());
    }
    if (shown.size() <= kMaxShown) return shown;
    return std::string(utf8_prefix(shown, kMaxShown)) + "...";
}

// Which document is being read: the error kind and how messages name things.
struct Doc {
    ErrorKind kind;
    const char* type_name;  // "segmodel", "segscaler"; nullptr for fit options
    const char* options_of = "kmeans_fit";  // the aggregate whose options are read

    // Throws Error(kind).
    [[noreturn]] void fail(const std::string& message, const std::string& detail = {}) const {
        throw Error(kind, message, detail);
    }

    // How a key is named in a message: kmeans_fit option "tol" / invalid segmodel: key "k".
    std::string name(const std::string& path) const {
        if (type_name == nullptr) return std::string(options_of) + " option \"" + path + "\"";
        return std::string("invalid ") + type_name + ": key \"" + path + "\"";
    }

    // Throws "<key> must be <expected>" with the offending value in the detail.
    [[noreturn]] void bad_value(const std::string& path, const std::string& expected,
                                const Json& got) const {
        fail(name(path) + " must be " + expected, "Got " + describe(got) + ".");
    }

    // Throws for a top-level value that is not an object.
    [[noreturn]] void not_object(const Json& got) const {
        const std::string detail = std::string("Got ") + json_type_name(got.type()) + ".";
        if (type_name == nullptr)
            fail(std::string(options_of) + " options must be a JSON object", detail);
        fail(std::string("invalid ") + type_name + ": expected a JSON object", detail);
    }

    // Throws for a key that is not allowed, listing the allowed ones.
    [[noreturn]] void unknown_key(const std::string& path,
                                  const std::vector<const char*>& allowed) const {
        if (type_name == nullptr)
            fail(std::string("unknown ") + options_of + " option \"" + path + "\"",
                 "Valid options are: " + join(allowed) + ".");
        fail(std::string("invalid ") + type_name + ": unknown key \"" + path + "\"",
             "Valid keys are: " + join(allowed) + ".");
    }

    // Throws for a required key that is absent.
    [[noreturn]] void missing_key(const std::string& path) const {
        fail(std::string("invalid ") +
             (type_name ? std::string(type_name) : std::string(options_of) + " options") +
             ": missing key \"" + path + "\"");
    }
};

// Reads the members of one object, rejecting unknown and missing keys.
class ObjectReader {
  public:
    // Checks that v is an object; path is "" at top level, "scaler." etc. inside.
    ObjectReader(const Json& v, const Doc& doc, std::string path)
        : obj_(v), doc_(doc), path_(std::move(path)) {
        if (v.is_object()) return;
        if (path_.empty()) doc_.not_object(v);
        doc_.bad_value(path_.substr(0, path_.size() - 1), "an object", v);
    }

    // Throws for the first key not in `allowed`.
    void allow_only(const std::vector<const char*>& allowed) const {
        for (const std::string& key : obj_.keys()) {
            bool known = false;
            for (const char* a : allowed) known = known || key == a;
            if (!known) doc_.unknown_key(path_ + key, allowed);
        }
    }

    // The value of a required key.
    const Json& get(const char* key) const {
        const Json* v = obj_.find(key);
        if (v == nullptr) doc_.missing_key(path_ + key);
        return *v;
    }

    // The value of an optional key, or nullptr.
    const Json* find(const char* key) const { return obj_.find(key); }

    // The full path of a key for messages.
    std::string path(const char* key) const { return path_ + key; }

  private:
    const Json& obj_;
    const Doc& doc_;
    std::string path_;
};

// An integer in [lo, hi], exactly (never through a double).
int64_t read_int(const Json& v, const Doc& doc, const std::string& path, int64_t lo, int64_t hi) {
    const std::optional<int64_t> x = v.int64_value();
    if (!x || *x < lo || *x > hi) {
        const bool any =
            lo == std::numeric_limits<int64_t>::min() && hi == std::numeric_limits<int64_t>::max();
        doc.bad_value(
            path,
            any ? std::string("an integer")
                : "an integer between " + std::to_string(lo) + " and " + std::to_string(hi),
            v);
    }
    return *x;
}

// A JSON number (always finite: the parser rejects overflow).
double read_number(const Json& v, const Doc& doc, const std::string& path) {
    if (!v.is_number()) doc.bad_value(path, "a number", v);
    return v.number_value();
}

// A JSON string.
const std::string& read_string(const Json& v, const Doc& doc, const std::string& path) {
    if (!v.is_string()) doc.bad_value(path, "a string", v);
    return v.text();
}

// An array of numbers, appended to out (so matrices can be read row by row).
void read_numbers(const Json& v, const Doc& doc, const std::string& path,
                  std::vector<double>& out) {
    if (!v.is_array()) doc.bad_value(path, "an array of numbers", v);
    out.reserve(out.size() + v.items().size());
    for (size_t i = 0; i < v.items().size(); ++i)
        out.push_back(read_number(v.items()[i], doc, path + "[" + std::to_string(i) + "]"));
}

// An array of numbers.
std::vector<double> read_numbers(const Json& v, const Doc& doc, const std::string& path) {
    std::vector<double> out;
    read_numbers(v, doc, path, out);
    return out;
}

// An array of 64-bit integers.
std::vector<int64_t> read_integers(const Json& v, const Doc& doc, const std::string& path) {
    if (!v.is_array()) doc.bad_value(path, "an array of integers", v);
    std::vector<int64_t> out;
    out.reserve(v.items().size());
    for (size_t i = 0; i < v.items().size(); ++i)
        out.push_back(read_int(v.items()[i], doc, path + "[" + std::to_string(i) + "]",
                               std::numeric_limits<int64_t>::min(),
                               std::numeric_limits<int64_t>::max()));
    return out;
}

// An array of strings, or null (has = false, empty).
bool read_names(const Json& v, std::vector<std::string>& out) {
    out.clear();
    if (v.is_null()) return true;
    if (!v.is_array()) return false;
    for (const Json& s : v.items()) {
        if (!s.is_string()) return false;
        out.push_back(s.text());
    }
    return true;
}

// `rows` arrays of `cols` numbers each, flattened row-major; messages call them arrays of
// "<rows_name> = rows" arrays and of "<cols_name> = cols" numbers (of "cols" numbers when
// cols_name is null).
std::vector<double> read_number_rows(const Json& v, const Doc& doc, const std::string& path,
                                     const char* rows_name, int32_t rows, const char* cols_name,
                                     int64_t cols) {
    if (!v.is_array() || v.items().size() != size_t(rows))
        doc.bad_value(path,
                      "an array of " + std::string(rows_name) + " = " + std::to_string(rows) +
                          " arrays",
                      v);
    std::vector<double> out;
    // No reserve(rows * cols): both come from the input, dims may be 2^31 - 1 (fuzz finding).
    for (size_t i = 0; i < v.items().size(); ++i) {
        const std::string row_path = path + "[" + std::to_string(i) + "]";
        const size_t before = out.size();
        read_numbers(v.items()[i], doc, row_path, out);
        if (out.size() - before != size_t(cols))
            doc.bad_value(row_path,
                          "an array of " +
                              (cols_name != nullptr ? std::string(cols_name) + " = " : "") +
                              std::to_string(cols) + " numbers",
                          v.items()[i]);
    }
    return out;
}

// k rows of dims numbers each, flattened row-major (cols_name names cols in messages).
std::vector<double> read_matrix(const Json& v, const Doc& doc, const std::string& path,
                                int32_t rows, int32_t cols, const char* cols_name = "dims") {
    return read_number_rows(v, doc, path, "k", rows, cols_name, cols);
}

// The enum value whose name(E) is s, trying 0..last.
template <class E>
std::optional<E> enum_from_name(std::string_view s, const char* (*name)(E), E last) {
    for (uint32_t i = 0; i <= uint32_t(last); ++i)
        if (s == name(E(i))) return E(i);
    return std::nullopt;
}

// one of "a", "b", "c" for messages.
template <class E>
std::string enum_choices(const char* (*name)(E), E last) {
    std::string out = "one of ";
    for (uint32_t i = 0; i <= uint32_t(last); ++i) {
        if (i > 0) out += ", ";
        out += std::string("\"") + name(E(i)) + "\"";
    }
    return out;
}

// Which algorithms take an option: bit (1 << ModelAlgorithm).
constexpr uint8_t kForKMeans = 1u << uint8_t(ModelAlgorithm::KMeans);
constexpr uint8_t kForKPrototypes = 1u << uint8_t(ModelAlgorithm::KPrototypes);
constexpr uint8_t kForBoth = kForKMeans | kForKPrototypes;
constexpr uint8_t kForHierarchical = 1u << uint8_t(ModelAlgorithm::Hierarchical);
constexpr uint8_t kForGmm = 1u << uint8_t(ModelAlgorithm::Gmm);
// The options of the common part (the feature pipeline): every kind takes them.
constexpr uint8_t kForAll = 0xFF;
static_assert(kModelAlgorithmLast < 8, "one bit per algorithm in OptionField::algorithms");

// True when option rows marked `algorithms` apply to models of algorithm a.
bool applies(uint8_t algorithms, ModelAlgorithm a) {
    return (algorithms & (1u << uint8_t(a))) != 0;
}

// One kmeans_fit / kprototypes_fit option: which aggregates take it, how to read, check and
// write it. Adding an option is one row of kOptionFields (plus a field in KMeansOptions).
struct OptionField {
    const char* key;
    uint8_t algorithms;                             // kForKMeans | kForKPrototypes
    std::string (*expected)();                      // "an integer between 1 and 10000"
    bool (*read)(const Json& v, KMeansOptions& o);  // false when v is not a valid value
    bool (*valid)(const KMeansOptions& o);          // the stored value is valid
    void (*write)(JsonWriter& w, const KMeansOptions& o);
    bool (*is_default)(const KMeansOptions& o);     // as in a default KMeansOptions
    bool optional_in_model = false;  // a model's JSON may leave it out (added after 1.0's keys)
};

// The value of member M in default options.
template <auto M>
bool member_is_default(const KMeansOptions& o) {
    static const KMeansOptions defaults;
    return o.*M == defaults.*M;
}

// An enum option stored as its name.
template <class E, E KMeansOptions::*M, const char* (*Name)(E), E Last>
struct EnumField {
    static std::string expected() { return enum_choices(Name, Last); }
    static bool read(const Json& v, KMeansOptions& o) {
        if (!v.is_string()) return false;
        const std::optional<E> e = enum_from_name(v.text(), Name, Last);
        if (e) o.*M = *e;
        return e.has_value();
    }
    static bool valid(const KMeansOptions& o) { return uint32_t(o.*M) <= uint32_t(Last); }
    static void write(JsonWriter& w, const KMeansOptions& o) { w.string(Name(o.*M)); }
    static bool is_default(const KMeansOptions& o) { return member_is_default<M>(o); }
};

// An integer option in [Lo, Hi] (signed or unsigned member).
template <auto M, int64_t Lo, int64_t Hi>
struct IntField {
    using T = std::remove_reference_t<decltype(std::declval<KMeansOptions&>().*M)>;
    static_assert(std::is_signed_v<T> || Lo >= 0, "unsigned option with a negative bound");
    static std::string expected() {
        return "an integer between " + std::to_string(Lo) + " and " + std::to_string(Hi);
    }
    static bool in_range(T x) {
        if constexpr (std::is_signed_v<T>)
            return int64_t(x) >= Lo && int64_t(x) <= Hi;
        else
            return uint64_t(x) >= uint64_t(Lo) && uint64_t(x) <= uint64_t(Hi);
    }
    static bool read(const Json& v, KMeansOptions& o) {
        const std::optional<int64_t> x = v.int64_value();
        if (!x || *x < Lo || *x > Hi) return false;
        o.*M = T(*x);
        return true;
    }
    static bool valid(const KMeansOptions& o) { return in_range(o.*M); }
    static void write(JsonWriter& w, const KMeansOptions& o) {
        if constexpr (std::is_signed_v<T>)
            w.integer(o.*M);
        else
            w.unsigned_integer(o.*M);
    }
    static bool is_default(const KMeansOptions& o) { return member_is_default<M>(o); }
};

// A finite number >= 0.
template <double KMeansOptions::*M>
struct NonNegativeField {
    static std::string expected() { return "a finite number >= 0"; }
    static bool read(const Json& v, KMeansOptions& o) {
        if (!v.is_number() || !(v.number_value() >= 0.0)) return false;
        o.*M = v.number_value();
        return true;
    }
    static bool valid(const KMeansOptions& o) { return std::isfinite(o.*M) && o.*M >= 0.0; }
    static void write(JsonWriter& w, const KMeansOptions& o) {
        if (valid(o))
            w.number(o.*M);
        else
            w.string(std::to_string(o.*M));  // only ever rendered in an error message
    }
    static bool is_default(const KMeansOptions& o) { return member_is_default<M>(o); }
};

// A finite number >= 0 or null (Has = false, value 0).
template <bool KMeansOptions::*Has, double KMeansOptions::*M>
struct OptionalNonNegativeField {
    static std::string expected() { return "a finite number >= 0 or null"; }
    static bool read(const Json& v, KMeansOptions& o) {
        o.*Has = !v.is_null();
        o.*M = 0.0;
        if (v.is_null()) return true;
        if (!v.is_number() || !(v.number_value() >= 0.0)) return false;
        o.*M = v.number_value();
        return true;
    }
    static bool valid(const KMeansOptions& o) {
        return o.*Has ? std::isfinite(o.*M) && o.*M >= 0.0 : is_default(o);
    }
    static void write(JsonWriter& w, const KMeansOptions& o) {
        if (!(o.*Has))
            w.null();
        else if (std::isfinite(o.*M))
            w.number(o.*M);
        else
            w.string(std::to_string(o.*M));  // only ever rendered in an error message
    }
    static bool is_default(const KMeansOptions& o) {
        return !(o.*Has) && o.*M == 0.0 && !std::signbit(o.*M);
    }
};

// A list of names (feature_names, categorical_names): an array of strings or null.
template <bool KMeansOptions::*Has, std::vector<std::string> KMeansOptions::*Names>
struct NamesField {
    static std::string expected() { return "an array of strings or null"; }
    static bool read(const Json& v, KMeansOptions& o) {
        if (!read_names(v, o.*Names)) return false;
        o.*Has = !v.is_null();
        return true;
    }
    static bool valid(const KMeansOptions& o) {
        if (!(o.*Has)) return (o.*Names).empty();
        for (const std::string& s : o.*Names)
            if (s.find('\0') != std::string::npos) return false;
        return true;
    }
    static void write(JsonWriter& w, const KMeansOptions& o) {
        if (o.*Has)
            w.string_array(o.*Names);
        else
            w.null();
    }
    static bool is_default(const KMeansOptions& o) { return !(o.*Has) && (o.*Names).empty(); }
};

// null (stored as 0) or an integer in [1, Hi].
template <int64_t KMeansOptions::*M, int64_t Hi>
struct OptionalCountField {
    static std::string expected() {
        return "null or an integer between 1 and " + std::to_string(Hi);
    }
    static bool read(const Json& v, KMeansOptions& o) {
        o.*M = 0;
        if (v.is_null()) return true;
        const std::optional<int64_t> x = v.int64_value();
        if (!x || *x < 1 || *x > Hi) return false;
        o.*M = *x;
        return true;
    }
    static bool valid(const KMeansOptions& o) { return o.*M >= 0 && o.*M <= Hi; }
    static void write(JsonWriter& w, const KMeansOptions& o) {
        if (o.*M == 0)
            w.null();
        else
            w.integer(o.*M);
    }
    static bool is_default(const KMeansOptions& o) { return o.*M == 0; }
};

// Option "transform": an array of transform names (one per feature) or null.
struct TransformField {
    static std::string expected() {
        return "an array of transform names (\"none\", \"log1p\", \"sqrt\", "
               "\"yeo-johnson\"), one per feature, or null";
    }
    static bool read(const Json& v, KMeansOptions& o) {
        o.transform.clear();
        if (v.is_null()) return true;
        if (!v.is_array() || v.items().empty()) return false;
        for (const Json& t : v.items()) {
            if (!t.is_string()) return false;
            const std::optional<FeatureTransform> f =
                enum_from_name(t.text(), feature_transform_name, FeatureTransform::YeoJohnson);
            if (!f) return false;
            o.transform.push_back(*f);
        }
        return true;
    }
    static bool valid(const KMeansOptions& o) {
        for (FeatureTransform t : o.transform)
            if (uint8_t(t) > uint8_t(FeatureTransform::YeoJohnson)) return false;
        return true;
    }
    static void write(JsonWriter& w, const KMeansOptions& o) {
        if (o.transform.empty()) {
            w.null();
            return;
        }
        w.begin_array();
        for (FeatureTransform t : o.transform) w.string(feature_transform_name(t));
        w.end_array();
    }
    static bool is_default(const KMeansOptions& o) { return o.transform.empty(); }
};

// Option "clip": [q_lo, q_hi] with 0 <= q_lo < q_hi <= 1, or null.
struct ClipField {
    static std::string expected() {
        return "an array [q_lo, q_hi] of quantiles with 0 <= q_lo < q_hi <= 1, or null";
    }
    static bool read(const Json& v, KMeansOptions& o) {
        o.has_clip = false;
        o.clip_lo = 0.0;
        o.clip_hi = 1.0;
        if (v.is_null()) return true;
        if (!v.is_array() || v.items().size() != 2 || !v.items()[0].is_number() ||
            !v.items()[1].is_number())
            return false;
        o.has_clip = true;
        o.clip_lo = v.items()[0].number_value();
        o.clip_hi = v.items()[1].number_value();
        return valid(o);
    }
    static bool valid(const KMeansOptions& o) {
        if (!o.has_clip) return is_default(o);
        return o.clip_lo >= 0.0 && o.clip_lo < o.clip_hi && o.clip_hi <= 1.0;
    }
    static void write(JsonWriter& w, const KMeansOptions& o) {
        if (!o.has_clip) {
            w.null();
            return;
        }
        if (!std::isfinite(o.clip_lo) || !std::isfinite(o.clip_hi)) {
            w.string("not finite");  // only ever rendered in an error message
            return;
        }
        const double q[2] = {o.clip_lo, o.clip_hi};
        w.number_array(q, 2);
    }
    static bool is_default(const KMeansOptions& o) {
        return !o.has_clip && o.clip_lo == 0.0 && o.clip_hi == 1.0;
    }
};

// Builds a table row from a field type.
template <class F>
constexpr OptionField option(const char* key, uint8_t algorithms = kForBoth) {
    return {key, algorithms, &F::expected, &F::read, &F::valid, &F::write, &F::is_default};
}

// A table row for an option a model's JSON may omit (its default then applies).
template <class F>
constexpr OptionField optional_option(const char* key, uint8_t algorithms = kForBoth) {
    OptionField f = option<F>(key, algorithms);
    f.optional_in_model = true;
    return f;
}

constexpr int64_t kMaxSeed = std::numeric_limits<int64_t>::max();
constexpr int64_t kMaxSample = 1000000000000;  // 10^12 rows
constexpr int64_t kMaxLeaves = 1000000;         // hierarchical leaves (the O(L^2) algorithms)

// Every option of kmeans_fit and kprototypes_fit, in output order.
const OptionField kOptionFields[] = {
    option<EnumField<ScaleMethod, &KMeansOptions::scale, scale_method_name, ScaleMethod::None>>(
        "scale", kForAll),
    option<EnumField<InitMethod, &KMeansOptions::init, init_method_name, InitMethod::Random>>(
        "init"),
    option<IntField<&KMeansOptions::n_init, 1, 10000>>("n_init"),
    option<IntField<&KMeansOptions::max_iter, 1, 1000000>>("max_iter"),
    option<NonNegativeField<&KMeansOptions::tol>>("tol", kForKMeans),
    option<IntField<&KMeansOptions::seed, 0, kMaxSeed>>("seed",
                                                   kForBoth | kForHierarchical | kForGmm),
    option<EnumField<MissingPolicy, &KMeansOptions::missing, missing_policy_name,
                     MissingPolicy::Impute>>("missing", kForAll),
    optional_option<EnumField<RefineMethod, &KMeansOptions::refine, refine_method_name,
                              RefineMethod::None>>("refine", kForKMeans),
    option<NamesField<&KMeansOptions::has_feature_names, &KMeansOptions::feature_names>>(
        "feature_names", kForAll),
    optional_option<OptionalCountField<&KMeansOptions::sample, kMaxSample>>("sample", kForKMeans),
    option<OptionalNonNegativeField<&KMeansOptions::has_gamma, &KMeansOptions::gamma>>(
        "gamma", kForKPrototypes),
    option<NamesField<&KMeansOptions::has_categorical_names,
                      &KMeansOptions::categorical_names>>("categorical_names", kForKPrototypes),
    option<EnumField<Linkage, &KMeansOptions::linkage, linkage_name, Linkage::Single>>(
        "linkage", kForHierarchical),
    option<OptionalCountField<&KMeansOptions::max_leaves, kMaxLeaves>>("max_leaves",
                                                                       kForHierarchical),
    // gmm_fit (src/core/gmm.hpp): the same keys as k-means' where they mean the same, with
    // GaussianMixture's defaults.
    option<EnumField<CovarianceType, &KMeansOptions::gmm_covariance, covariance_type_name,
                     CovarianceType::Spherical>>("covariance", kForGmm),
    option<EnumField<GmmInit, &KMeansOptions::gmm_init, gmm_init_name, GmmInit::Random>>(
        "init", kForGmm),
    option<IntField<&KMeansOptions::gmm_n_init, 1, 10000>>("n_init", kForGmm),
    option<IntField<&KMeansOptions::gmm_max_iter, 1, 1000000>>("max_iter", kForGmm),
    option<NonNegativeField<&KMeansOptions::gmm_tol>>("tol", kForGmm),
    option<NonNegativeField<&KMeansOptions::gmm_reg_covar>>("reg_covar", kForGmm),
    option<IntField<&KMeansOptions::gmm_init_candidates, 1, 100>>("init_candidates", kForGmm),
    optional_option<TransformField>("transform", kForAll),
    optional_option<ClipField>("clip", kForAll),
    optional_option<EnumField<ImputeMethod, &KMeansOptions::impute, impute_method_name,
                              ImputeMethod::Zero>>("impute", kForAll),
};

// Reads an options object of an algorithm: strict (inside a model: every key required) or
// not (defaults); the keys `also` (a caller's own, read by it) are allowed and ignored.
KMeansOptions read_options(const Json& v, const Doc& doc, const std::string& path, bool strict,
                           ModelAlgorithm a, const std::vector<const char*>& also = {}) {
    const ObjectReader r(v, doc, path.empty() ? path : path + ".");
    std::vector<const char*> allowed = model_option_keys(a);
    allowed.insert(allowed.end(), also.begin(), also.end());
    r.allow_only(allowed);
    KMeansOptions o;
    for (const OptionField& f : kOptionFields) {
        if (!applies(f.algorithms, a)) continue;
        const Json* x = strict && !f.optional_in_model ? &r.get(f.key) : r.find(f.key);
        if (x != nullptr && !f.read(*x, o)) doc.bad_value(r.path(f.key), f.expected(), *x);
    }
    return o;
}

// Writes every option of an algorithm as a JSON object.
void write_options(JsonWriter& w, const KMeansOptions& o, ModelAlgorithm a) {
    w.begin_object();
    for (const OptionField& f : kOptionFields) {
        if (!applies(f.algorithms, a)) continue;
        w.key(f.key);
        f.write(w, o);
    }
    w.end_object();
}

// Writes {"method","center","scale"}.
void write_scaler(JsonWriter& w, const Scaler& s) {
    w.begin_object();
    w.key("method");
    w.string(scale_method_name(s.method));
    w.key("center");
    w.number_array(s.center.data(), s.center.size());
    w.key("scale");
    w.number_array(s.scale.data(), s.scale.size());
    w.end_object();
}

// Reads {"method","center","scale"} (path "" at top level, "scaler." inside a model).
Scaler read_scaler(const Json& v, const Doc& doc, const std::string& path) {
    const ObjectReader r(v, doc, path);
    r.allow_only({"method", "center", "scale"});
    Scaler s;
    const Json& method = r.get("method");
    const std::optional<ScaleMethod> m =
        method.is_string() ? enum_from_name(method.text(), scale_method_name, ScaleMethod::None)
                           : std::nullopt;
    if (!m)
        doc.bad_value(r.path("method"), enum_choices(scale_method_name, ScaleMethod::None), method);
    s.method = *m;
    s.center = read_numbers(r.get("center"), doc, r.path("center"));
    s.scale = read_numbers(r.get("scale"), doc, r.path("scale"));
    return s;
}

// Names array at the model's top level: null when there are none.
void write_names_or_null(JsonWriter& w, const std::vector<std::string>& names) {
    if (names.empty())
        w.null();
    else
        w.string_array(names);
}

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// dims arrays of `width` numbers each, flattened (clip_bounds, feature_deciles, ...).
std::vector<double> read_per_feature(const Json& v, const Doc& doc, const std::string& path,
                                     int32_t dims, size_t width) {
    return read_number_rows(v, doc, path, "dims", dims, nullptr, int64_t(width));
}

// Writes dims arrays of `width` numbers from x (flattened).
void write_per_feature(JsonWriter& w, const double* x, int32_t dims, size_t width) {
    w.begin_array();
    for (int32_t j = 0; j < dims; ++j) w.number_array(x + size_t(j) * width, width);
    w.end_array();
}

// The fitted pipeline's keys: transform (a name per feature), lambdas, clip_bounds
// ([low, high] per feature, transformed units), feature_deciles, feature_decile_shares.
void write_pipeline(JsonWriter& w, const Model& m) {
    const FeaturePipeline& p = m.pipeline;
    w.key("transform");
    w.begin_array();
    for (int32_t j = 0; j < m.dims; ++j)
        w.string(feature_transform_name(p.transform.empty() ? FeatureTransform::None
                                                            : p.transform[size_t(j)]));
    w.end_array();
    w.key("lambdas");
    if (p.transform.empty())
        w.null();
    else
        w.number_array(p.lambdas.data(), p.lambdas.size());
    w.key("clip_bounds");
    if (p.clip_lo.empty()) {
        w.null();
    } else {
        w.begin_array();
        for (int32_t j = 0; j < m.dims; ++j) {
            const double b[2] = {p.clip_lo[size_t(j)], p.clip_hi[size_t(j)]};
            w.number_array(b, 2);
        }
        w.end_array();
    }
    w.key("feature_deciles");
    if (p.deciles.empty())
        w.null();
    else
        write_per_feature(w, p.deciles.data(), m.dims, kDecileCuts);
    w.key("feature_decile_shares");
    if (p.decile_shares.empty())
        w.null();
    else
        write_per_feature(w, p.decile_shares.data(), m.dims, kDecileBins);
}

// Reads the pipeline's keys (all optional: texts from before they existed lack them).
void read_pipeline(const ObjectReader& r, const Doc& doc, Model& m) {
    FeaturePipeline& p = m.pipeline;
    const Json* t = r.find("transform");
    if (t != nullptr && !t->is_null()) {
        KMeansOptions o;
        if (!TransformField::read(*t, o) || o.transform.size() != size_t(m.dims))
            doc.bad_value("transform", "an array of dims = " + std::to_string(m.dims) +
                                           " transform names", *t);
        if (std::any_of(o.transform.begin(), o.transform.end(),
                        [](FeatureTransform f) { return f != FeatureTransform::None; }))
            p.transform = o.transform;
    }
    const Json* l = r.find("lambdas");
    if (l != nullptr && !l->is_null()) p.lambdas = read_numbers(*l, doc, "lambdas");
    const Json* c = r.find("clip_bounds");
    if (c != nullptr && !c->is_null()) {
        const std::vector<double> b = read_per_feature(*c, doc, "clip_bounds", m.dims, 2);
        for (size_t j = 0; j < b.size() / 2; ++j) {
            p.clip_lo.push_back(b[2 * j]);
            p.clip_hi.push_back(b[2 * j + 1]);
        }
    }
    const Json* q = r.find("feature_deciles");
    if (q != nullptr && !q->is_null())
        p.deciles = read_per_feature(*q, doc, "feature_deciles", m.dims, kDecileCuts);
    const Json* s = r.find("feature_decile_shares");
    if (s != nullptr && !s->is_null())
        p.decile_shares = read_per_feature(*s, doc, "feature_decile_shares", m.dims, kDecileBins);
}

// The keys of a k-means model, in output order.
const std::vector<const char*> kKMeansKeys = {
    "algorithm", "version", "k",       "dims",     "feature_names", "scaler",
    "centroids", "sizes",   "inertia", "n_iter",   "n_rows",        "n_skipped",
    "n_seen",    "options", "impute",  "transform", "lambdas", "clip_bounds",
    "feature_deciles", "feature_decile_shares", "feature_mean", "feature_std", "mean_distance",
    "projection"};
// The keys a k-prototypes model adds after them, in output order.
const std::vector<const char*> kCategoricalKeys = {
    "gamma", "cost", "categorical_dims", "categorical_names", "categories", "modes",
    "mode_shares", "categorical_impute"};

// Writes the 2-D projection (pca.hpp) as {"variance", "variance_ratio", "mean", "components"}.
void write_projection(JsonWriter& w, const Projection& p) {
    w.begin_object();
    w.key("variance");
    w.number_array(p.variance.data(), 2);
    w.key("variance_ratio");
    w.number_array(p.variance_ratio.data(), 2);
    w.key("mean");
    w.number_array(p.mean.data(), p.mean.size());
    w.key("components");
    w.begin_array();
    for (size_t a = 0; a < 2; ++a) w.number_array(p.components.data() + a * p.mean.size(), p.mean.size());
    w.end_array();
    w.end_object();
}

// Reads the projection written by write_projection (validated with the model).
Projection read_projection(const Json& v, const Doc& doc, int32_t dims) {
    const ObjectReader r(v, doc, "projection.");
    r.allow_only({"variance", "variance_ratio", "mean", "components"});
    Projection p;
    p.variance = read_numbers(r.get("variance"), doc, "projection.variance");
    p.variance_ratio = read_numbers(r.get("variance_ratio"), doc, "projection.variance_ratio");
    p.mean = read_numbers(r.get("mean"), doc, "projection.mean");
    p.components = read_matrix(r.get("components"), doc, "projection.components", 2, dims);
    return p;
}

// Writes category codes (one per attribute, or k rows of them) as the category names.
void write_categories(JsonWriter& w, const CategoricalPart& c, const int32_t* codes) {
    w.begin_array();
    for (int32_t j = 0; j < c.dims; ++j) w.string(c.categories[size_t(j)][size_t(codes[j])]);
    w.end_array();
}

// Writes the categorical part of a k-prototypes model (the kCategoricalKeys).
void write_categorical(JsonWriter& w, const Model& m) {
    const CategoricalPart& c = m.categorical;
    const size_t q = size_t(c.dims);
    w.key("gamma");
    w.number(c.gamma);
    w.key("cost");
    w.number(c.cost);
    w.key("categorical_dims");
    w.integer(c.dims);
    w.key("categorical_names");
    write_names_or_null(w, c.names);
    w.key("categories");
    w.begin_array();
    for (const std::vector<std::string>& vocab : c.categories) w.string_array(vocab);
    w.end_array();
    w.key("modes");
    w.begin_array();
    for (int32_t k = 0; k < m.k; ++k) write_categories(w, c, c.modes.data() + size_t(k) * q);
    w.end_array();
    w.key("mode_shares");
    w.begin_array();
    for (int32_t k = 0; k < m.k; ++k) w.number_array(c.mode_share.data() + size_t(k) * q, q);
    w.end_array();
    w.key("categorical_impute");
    if (m.options.missing == MissingPolicy::Impute)
        write_categories(w, c, c.impute.data());
    else
        w.null();
}

// One category name of attribute j as its code (index in the attribute's vocabulary).
int32_t read_category(const Json& v, const Doc& doc, const std::string& path,
                      const std::vector<std::string>& vocab) {
    const std::string& name = read_string(v, doc, path);
    const auto it = std::find(vocab.begin(), vocab.end(), name);
    if (it == vocab.end()) doc.bad_value(path, "one of the categories of its attribute", v);
    return int32_t(it - vocab.begin());
}

// An array of q category names (one per attribute) as codes, appended to out.
void read_category_row(const Json& v, const Doc& doc, const std::string& path,
                       const CategoricalPart& c, std::vector<int32_t>& out) {
    if (!v.is_array() || v.items().size() != size_t(c.dims))
        doc.bad_value(path,
                      "an array of categorical_dims = " + std::to_string(c.dims) + " strings", v);
    for (size_t j = 0; j < v.items().size(); ++j)
        out.push_back(read_category(v.items()[j], doc, path + "[" + std::to_string(j) + "]",
                                    c.categories[j]));
}

// Reads the categorical part of a k-prototypes model (the kCategoricalKeys).
void read_categorical(const ObjectReader& r, const Doc& doc, Model& m) {
    CategoricalPart& c = m.categorical;
    c.gamma = read_number(r.get("gamma"), doc, "gamma");
    c.cost = read_number(r.get("cost"), doc, "cost");
    c.dims = int32_t(read_int(r.get("categorical_dims"), doc, "categorical_dims", 1, kInt32Max));
    if (!read_names(r.get("categorical_names"), c.names))
        doc.bad_value("categorical_names", "an array of strings or null",
                      r.get("categorical_names"));
    const Json& cats = r.get("categories");
    if (!cats.is_array() || cats.items().size() != size_t(c.dims))
        doc.bad_value("categories",
                      "an array of categorical_dims = " + std::to_string(c.dims) +
                          " arrays of strings",
                      cats);
    for (size_t j = 0; j < cats.items().size(); ++j) {
        c.categories.emplace_back();
        const Json& vocab = cats.items()[j];
        if (!vocab.is_array() || !read_names(vocab, c.categories.back()))
            doc.bad_value("categories[" + std::to_string(j) + "]", "an array of strings", vocab);
        // Sorted here, bytewise: text from a database of another encoding (pg_dump of a
        // WIN1252 database restored into a UTF8 one) lists the same categories in that
        // encoding's byte order. Modes and fills are read as names below, so nothing else
        // moves; a repeated category is still refused by the validation.
        std::sort(c.categories.back().begin(), c.categories.back().end());
    }
    const Json& modes = r.get("modes");
    if (!modes.is_array() || modes.items().size() != size_t(m.k))
        doc.bad_value("modes", "an array of k = " + std::to_string(m.k) + " arrays", modes);
    for (size_t k = 0; k < modes.items().size(); ++k)
        read_category_row(modes.items()[k], doc, "modes[" + std::to_string(k) + "]", c, c.modes);
    c.mode_share =
        read_matrix(r.get("mode_shares"), doc, "mode_shares", m.k, c.dims, "categorical_dims");
    const Json* impute = r.find("categorical_impute");
    if (impute != nullptr && !impute->is_null())
        read_category_row(*impute, doc, "categorical_impute", c, c.impute);
}

// Writes the kind's own arrays (ModelKind::arrays()): a One x One array as a scalar, a
// column as a flat array, anything else as an array of rows.
void write_kind_arrays(JsonWriter& w, const Model& m, const std::vector<KindArraySpec>& specs) {
    for (size_t i = 0; i < specs.size(); ++i) {
        const KindArraySpec& s = specs[i];
        const KindArray& a = m.kind_arrays[i];
        const size_t cols = a.rows == 0 ? 0 : (s.integer ? a.integers.size() : a.values.size()) /
                                                  size_t(a.rows);
        w.key(s.name);
        auto row = [&](int64_t r, size_t n) {
            if (s.integer)
                w.integer_array(a.integers.data() + size_t(r) * n, n);
            else
                w.number_array(a.values.data() + size_t(r) * n, n);
        };
        if (s.rows == KindExtent::One && s.cols == KindExtent::One) {
            if (s.integer)
                w.integer(a.integers[0]);
            else
                w.number(a.values[0]);
        } else if (s.cols == KindExtent::One) {
            row(0, size_t(a.rows));
        } else {
            w.begin_array();
            for (int64_t r = 0; r < a.rows; ++r) row(r, cols);
            w.end_array();
        }
    }
}

// Reads the kind's own arrays (the inverse of write_kind_arrays).
void read_kind_arrays(const ObjectReader& r, const Doc& doc, Model& m,
                      const std::vector<KindArraySpec>& specs) {
    for (const KindArraySpec& s : specs) {
        const Json& v = r.get(s.name);
        const size_t cols = s.cols == KindExtent::K      ? size_t(m.k)
                            : s.cols == KindExtent::Dims ? size_t(m.dims)
                                                         : 1;
        KindArray a;
        std::vector<const Json*> cells;
        if (s.rows == KindExtent::One && s.cols == KindExtent::One) {
            cells.push_back(&v);
        } else if (s.cols == KindExtent::One) {
            if (!v.is_array()) doc.bad_value(s.name, "an array", v);
            for (const Json& x : v.items()) cells.push_back(&x);
        } else {
            if (!v.is_array()) doc.bad_value(s.name, "an array of arrays", v);
            for (size_t i = 0; i < v.items().size(); ++i) {
                const Json& row = v.items()[i];
                if (!row.is_array() || row.items().size() != cols)
                    doc.bad_value(s.name + std::string("[") + std::to_string(i) + "]",
                                  "an array of " + std::to_string(cols) + " values", row);
                for (const Json& x : row.items()) cells.push_back(&x);
            }
        }
        a.rows = int64_t(cells.size() / cols);
        for (size_t i = 0; i < cells.size(); ++i) {
            const std::string path = s.name + std::string("[") + std::to_string(i) + "]";
            if (s.integer)
                a.integers.push_back(read_int(*cells[i], doc, path, std::numeric_limits<int64_t>::min(),
                                              kInt64Max));
            else
                a.values.push_back(read_number(*cells[i], doc, path));
        }
        m.kind_arrays.push_back(std::move(a));
    }
}

}  // namespace

// Serialises a model as compact JSON in the documented key order.
std::string model_to_json(const Model& m) {
    validate_model(m, ErrorKind::Internal);  // never index past a vector, never write NaN
    JsonWriter w;
    w.begin_object();
    w.key("algorithm");
    w.string(model_algorithm_name(m.algorithm));
    w.key("version");
    w.integer(Model::kFormatVersion);
    w.key("k");
    w.integer(m.k);
    w.key("dims");
    w.integer(m.dims);
    w.key("feature_names");
    write_names_or_null(w, m.feature_names);
    w.key("scaler");
    write_scaler(w, m.scaler);
    w.key("centroids");
    w.begin_array();
    for (int32_t c = 0; c < m.k; ++c) w.number_array(m.centroid(c), size_t(m.dims));
    w.end_array();
    w.key("sizes");
    w.integer_array(m.sizes.data(), m.sizes.size());
    w.key("inertia");
    w.number(m.inertia);
    w.key("n_iter");
    w.integer(m.n_iter);
    w.key("n_rows");
    w.integer(m.n_rows);
    w.key("n_skipped");
    w.integer(m.n_skipped);
    w.key("n_seen");
    w.integer(rows_seen(m));
    w.key("options");
    write_options(w, m.options, m.algorithm);
    w.key("impute");
    if (m.options.missing == MissingPolicy::Impute)
        w.number_array(m.impute.data(), m.impute.size());
    else
        w.null();
    write_pipeline(w, m);
    w.key("feature_mean");
    w.number_array(m.feature_mean.data(), m.feature_mean.size());
    w.key("feature_std");
    w.number_array(m.feature_std.data(), m.feature_std.size());
    w.key("mean_distance");
    w.number_array(m.mean_distance.data(), m.mean_distance.size());
    if (has_projection(m.projection)) {  // absent from models made without one
        w.key("projection");
        write_projection(w, m.projection);
    }
    if (m.algorithm == ModelAlgorithm::KPrototypes) write_categorical(w, m);
    write_kind_arrays(w, m, model_kind(m.algorithm).arrays());
    w.end_object();
    return w.take();
}

// Parses and fully validates a model's JSON text.
Model model_from_json(std::string_view text) {
    const Doc doc{ErrorKind::InvalidText, "segmodel"};
    const Json root = json_parse(text, doc.kind);
    const ObjectReader r(root, doc, "");
    // Algorithm and version first: a newer model should say so, not trip over a new key.
    const std::string& algorithm = read_string(r.get("algorithm"), doc, "algorithm");
    Model m;
    const ModelKind* model_kind = find_model_kind(algorithm);
    if (model_kind == nullptr) {
        std::string names;
        for (const ModelKind* k : model_kinds())
            names += std::string(names.empty() ? "" : ", ") + "\"" + k->name() + "\"";
        doc.fail("unsupported segmodel algorithm \"" + algorithm + "\"",
                 "This version of customer_seg reads " + names + " models.");
    }
    m.algorithm = model_kind->algorithm();
    const std::vector<KindArraySpec> specs = model_kind->arrays();
    const bool kprototypes = m.algorithm == ModelAlgorithm::KPrototypes;
    const int64_t version =
        read_int(r.get("version"), doc, "version", std::numeric_limits<int64_t>::min(), kInt64Max);
    if (version != Model::kFormatVersion)
        doc.fail("unsupported segmodel version " + std::to_string(version),
                 "This version of customer_seg reads version " +
                     std::to_string(Model::kFormatVersion) + ".");
    std::vector<const char*> keys = kKMeansKeys;
    if (kprototypes) keys.insert(keys.end(), kCategoricalKeys.begin(), kCategoricalKeys.end());
    for (const KindArraySpec& s : specs) keys.push_back(s.name);
    r.allow_only(keys);
    m.k = int32_t(read_int(r.get("k"), doc, "k", 1, kInt32Max));
    m.dims = int32_t(read_int(r.get("dims"), doc, "dims", 1, kInt32Max));
    if (!read_names(r.get("feature_names"), m.feature_names))
        doc.bad_value("feature_names", "an array of strings or null", r.get("feature_names"));
    m.scaler = read_scaler(r.get("scaler"), doc, "scaler.");
    m.centroids = read_matrix(r.get("centroids"), doc, "centroids", m.k, m.dims);
    m.sizes = read_integers(r.get("sizes"), doc, "sizes");
    m.inertia = read_number(r.get("inertia"), doc, "inertia");
    m.n_iter = int32_t(read_int(r.get("n_iter"), doc, "n_iter", 0, kInt32Max));
    m.n_rows = read_int(r.get("n_rows"), doc, "n_rows", 0, kInt64Max);
    m.n_skipped = read_int(r.get("n_skipped"), doc, "n_skipped", 0, kInt64Max);
    m.options = read_options(r.get("options"), doc, "options", true, m.algorithm);
    // n_seen: rows the aggregate saw. Required with option "sample"; otherwise optional (older
    // texts lack it) and, when present, n_rows + n_skipped.
    const Json* seen = m.options.sample > 0 ? &r.get("n_seen") : r.find("n_seen");
    const int64_t n_seen = seen != nullptr ? read_int(*seen, doc, "n_seen", 0, kInt64Max) : 0;
    if (m.options.sample > 0) m.n_seen = n_seen;
    const Json* impute = r.find("impute");
    if (impute != nullptr && !impute->is_null()) m.impute = read_numbers(*impute, doc, "impute");
    read_pipeline(r, doc, m);
    m.feature_mean = read_numbers(r.get("feature_mean"), doc, "feature_mean");
    m.feature_std = read_numbers(r.get("feature_std"), doc, "feature_std");
    m.mean_distance = read_numbers(r.get("mean_distance"), doc, "mean_distance");
    const Json* projection = r.find("projection");  // optional: older texts lack it
    if (projection != nullptr) m.projection = read_projection(*projection, doc, m.dims);
    if (kprototypes) read_categorical(r, doc, m);
    read_kind_arrays(r, doc, m, specs);
    validate_model(m, doc.kind);
    if (seen != nullptr && m.options.sample == 0 && n_seen != rows_seen(m))
        doc.bad_value("n_seen", "n_rows + n_skipped when option \"sample\" is null", *seen);
    return m;
}

// Serialises a scaler as compact JSON.
std::string scaler_to_json(const Scaler& s) {
    validate_scaler(s, ErrorKind::Internal);
    JsonWriter w;
    write_scaler(w, s);
    return w.take();
}

// Parses and validates a scaler's JSON text.
Scaler scaler_from_json(std::string_view text) {
    const Doc doc{ErrorKind::InvalidText, "segscaler"};
    Scaler s = read_scaler(json_parse(text, doc.kind), doc, "");
    validate_scaler(s, doc.kind);
    return s;
}

// The option keys of an algorithm, in table order.
std::vector<const char*> model_option_keys(ModelAlgorithm a) {
    std::vector<const char*> keys;
    for (const OptionField& f : kOptionFields)
        if (applies(f.algorithms, a)) keys.push_back(f.key);
    return keys;
}

// Parses the kmeans_fit options object, filling defaults.
KMeansOptions parse_kmeans_options(std::string_view json) {
    const Doc doc{ErrorKind::InvalidParameter, nullptr};
    return read_options(json_parse(json, doc.kind), doc, "", false, ModelAlgorithm::KMeans);
}

// kmeans_fit's options as passed on by `caller`, which reads `own_keys` itself.
KMeansOptions parse_passed_kmeans_options(std::string_view json, const char* caller,
                                          const std::vector<const char*>& own_keys) {
    const Doc doc{ErrorKind::InvalidParameter, nullptr, caller};
    return read_options(json_parse(json, doc.kind), doc, "", false, ModelAlgorithm::KMeans,
                        own_keys);
}

// Parses the kprototypes_fit options object, filling defaults.
KMeansOptions parse_kprototypes_options(std::string_view json) {
    const Doc doc{ErrorKind::InvalidParameter, nullptr, "kprototypes_fit"};
    return read_options(json_parse(json, doc.kind), doc, "", false, ModelAlgorithm::KPrototypes);
}

// Parses the options object of the fit aggregate of algorithm a, filling defaults.
KMeansOptions parse_model_options(std::string_view json, ModelAlgorithm a) {
    const Doc doc{ErrorKind::InvalidParameter, nullptr, model_kind(a).fit_function()};
    return read_options(json_parse(json, doc.kind), doc, "", false, a);
}

// Serialises every kmeans_fit option.
std::string kmeans_options_to_json(const KMeansOptions& o) {
    JsonWriter w;
    write_options(w, o, ModelAlgorithm::KMeans);
    return w.take();
}

void require_sample_holds_k(int64_t sample, int32_t k, std::string_view fn) {
    if (sample >= k) return;
    throw Error(ErrorKind::InvalidParameter,
                std::string(fn) + ": the sample of " + std::to_string(sample) +
                    " rows (option \"sample\") is smaller than k = " + std::to_string(k),
                "The clusters are found on the sample, which needs at least k rows; the table "
                "has more.",
                "Raise \"sample\" to at least " + std::to_string(k) + ".");
}

// Checks every kmeans_fit option against its table row.
void validate_kmeans_options(const KMeansOptions& o, ErrorKind kind, std::string_view prefix) {
    validate_model_options(o, ModelAlgorithm::KMeans, kind, prefix);
}

// Checks the options of algorithm a against their table rows, the others against defaults.
void validate_model_options(const KMeansOptions& o, ModelAlgorithm a, ErrorKind kind,
                            std::string_view prefix) {
    for (const OptionField& f : kOptionFields) {
        if (!applies(f.algorithms, a)) {
            if (!f.is_default(o))
                throw Error(kind, std::string(prefix) + "option \"" + f.key +
                                      "\" does not apply to " + model_algorithm_name(a) +
                                      " models");
            continue;
        }
        if (f.valid(o)) continue;
        JsonWriter got;
        f.write(got, o);
        throw Error(kind, std::string(prefix) + "option \"" + f.key + "\" must be " + f.expected(),
                    "Got " + got.str() + ".");
    }
}

}  // namespace cseg
