// Tests of the segmodel/segscaler JSON forms and the kmeans_fit option parser.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "model_json.hpp"
#include "model_test_util.hpp"

namespace cseg {
namespace {

using test::expect_error;
using test::sample_model;

// model_to_json(sample_model()), written out by hand: the documented key order and format.
const std::string kSampleJson =
    R"({"algorithm":"kmeans","version":1,"k":3,"dims":2,)"
    R"("feature_names":["age","income \"k$\""],)"
    R"("scaler":{"method":"standard","center":[38.5,60.25],"scale":[13.9,26.2]},)"
    R"("centroids":[[0.1,-1.25],[-0,5e-324],[1.7976931348623157e+308,-3.5]],)"
    R"("sizes":[5,3,2],"inertia":12.345678901234567,"n_iter":7,"n_rows":10,"n_skipped":2,)"
    R"("n_seen":12,)"
    R"("options":{"scale":"standard","init":"k-means++","n_init":4,"max_iter":50,)"
    R"("tol":1e-300,"seed":9223372036854775807,"missing":"skip",)"
    R"("refine":"hartigan","feature_names":["age","income \"k$\""],"sample":null,)"
    R"("transform":null,"clip":null,"impute":"mean"},)"
    R"("impute":null,"transform":["none","none"],"lambdas":null,"clip_bounds":null,)"
    R"("feature_deciles":null,"feature_decile_shares":null,)"
    R"("feature_mean":[38.5,60.25],"feature_std":[13.9,26.2],)"
    R"("mean_distance":[0.5,0.75,1e-300]})";

// text with the first occurrence of `from` replaced by `to` (which must occur).
std::string patch(const std::string& text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "patch target not found: " << from;
    if (at == std::string::npos) return text;
    return text.substr(0, at) + to + text.substr(at + from.size());
}

// Bit pattern of a double.
uint64_t bits(double x) {
    uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

// Field-by-field equality, doubles compared bit for bit (so -0.0 counts).
void expect_same_model(const Model& a, const Model& b) {
    auto same = [](const std::vector<double>& x, const std::vector<double>& y) {
        if (x.size() != y.size()) return false;
        for (size_t i = 0; i < x.size(); ++i)
            if (bits(x[i]) != bits(y[i])) return false;
        return true;
    };
    EXPECT_EQ(a.k, b.k);
    EXPECT_EQ(a.dims, b.dims);
    EXPECT_EQ(a.feature_names, b.feature_names);
    EXPECT_EQ(a.scaler.method, b.scaler.method);
    EXPECT_TRUE(same(a.scaler.center, b.scaler.center));
    EXPECT_TRUE(same(a.scaler.scale, b.scaler.scale));
    EXPECT_TRUE(same(a.centroids, b.centroids));
    EXPECT_EQ(a.sizes, b.sizes);
    EXPECT_EQ(bits(a.inertia), bits(b.inertia));
    EXPECT_EQ(a.n_iter, b.n_iter);
    EXPECT_EQ(a.n_rows, b.n_rows);
    EXPECT_EQ(a.n_skipped, b.n_skipped);
    EXPECT_EQ(a.options.scale, b.options.scale);
    EXPECT_EQ(a.options.init, b.options.init);
    EXPECT_EQ(a.options.n_init, b.options.n_init);
    EXPECT_EQ(a.options.max_iter, b.options.max_iter);
    EXPECT_EQ(bits(a.options.tol), bits(b.options.tol));
    EXPECT_EQ(a.options.seed, b.options.seed);
    EXPECT_EQ(a.options.missing, b.options.missing);
    EXPECT_EQ(a.options.refine, b.options.refine);
    EXPECT_EQ(a.options.has_feature_names, b.options.has_feature_names);
    EXPECT_EQ(a.options.feature_names, b.options.feature_names);
    EXPECT_TRUE(same(a.impute, b.impute));
    EXPECT_TRUE(same(a.feature_mean, b.feature_mean));
    EXPECT_TRUE(same(a.feature_std, b.feature_std));
    EXPECT_TRUE(same(a.mean_distance, b.mean_distance));
}

// Expects model_from_json(text) to fail with InvalidText mentioning needle.
void expect_model_error(const std::string& text, const std::string& needle) {
    expect_error([&] { model_from_json(text); }, ErrorKind::InvalidText, needle);
}

TEST(ModelJson, WritesDocumentedKeyOrderAndShortestNumbers) {
    EXPECT_EQ(model_to_json(sample_model()), kSampleJson);
}

TEST(ModelJson, TextRoundTripIsByteIdentical) {
    const Model m = model_from_json(kSampleJson);
    expect_same_model(m, sample_model());
    EXPECT_EQ(model_to_json(m), kSampleJson);
}

TEST(ModelJson, ImputeAndNoNamesRoundTrip) {
    Model m = sample_model(true);
    m.feature_names.clear();
    m.options.has_feature_names = false;
    m.options.feature_names.clear();
    m.options.init = InitMethod::Random;
    m.options.seed = 0;
    const std::string text = model_to_json(m);
    EXPECT_NE(text.find(R"("feature_names":null,)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("impute":[40,61.5])"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("init":"random")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("missing":"impute","refine":"hartigan","feature_names":null,"sample":null,)"
                        R"("transform":null,"clip":null,"impute":"mean"})"),
              std::string::npos)
        << text;
    const Model back = model_from_json(text);
    expect_same_model(back, m);
    EXPECT_EQ(model_to_json(back), text);
}

TEST(ModelJson, AcceptsWhitespaceReorderingAndAbsentImpute) {
    std::string text = patch(kSampleJson, R"("impute":null,)", "");
    text = patch(text, R"({"algorithm":"kmeans",)", "{\n  \"algorithm\" : \"kmeans\" ,\n");
    const Model m = model_from_json(text);
    EXPECT_TRUE(m.impute.empty());
    EXPECT_EQ(model_to_json(m), kSampleJson);
    // Integers may be written with an exponent or zero fraction (jsonb keeps "10.0").
    EXPECT_EQ(model_from_json(patch(kSampleJson, R"("n_rows":10)", R"("n_rows":1.0e1)")).n_rows,
              10);
}

TEST(ModelJson, RejectsStructuralProblems) {
    expect_model_error("[]", "expected a JSON object");
    expect_model_error(kSampleJson + "x", "unexpected text after the JSON value");
    expect_model_error(kSampleJson.substr(0, kSampleJson.size() - 1), "invalid JSON at byte");
    expect_model_error(patch(kSampleJson, R"("k":3,)", R"("k":3,"extra":1,)"),
                       "unknown key \"extra\"");
    expect_model_error(patch(kSampleJson, R"("k":3,)", R"("k":3,"k":3,)"),
                       "duplicate object key \"k\"");
    expect_model_error(patch(kSampleJson, R"("inertia":12.345678901234567,)", ""),
                       "missing key \"inertia\"");
    expect_model_error(patch(kSampleJson, R"("method":"standard",)", ""),
                       "missing key \"scaler.method\"");
    expect_model_error(patch(kSampleJson, R"("tol":1e-300,)", ""), "missing key \"options.tol\"");
    expect_model_error(patch(kSampleJson, R"("seed")", R"("sede")"),
                       "unknown key \"options.sede\"");
    expect_model_error(patch(kSampleJson, R"("center")", R"("centre")"),
                       "unknown key \"scaler.centre\"");
    std::string deep = kSampleJson;
    deep =
        patch(deep, R"("n_iter":7)", R"("n_iter":)" + std::string(80, '[') + std::string(80, ']'));
    expect_model_error(deep, "JSON nesting too deep");
}

TEST(ModelJson, RejectsVersionAndAlgorithm) {
    expect_model_error(patch(kSampleJson, R"("version":1)", R"("version":2)"),
                       "unsupported segmodel version 2");
    expect_model_error(patch(kSampleJson, R"("version":1)", R"("version":"1")"),
                       "key \"version\" must be an integer");
    expect_model_error(patch(kSampleJson, R"("algorithm":"kmeans")", R"("algorithm":"spectral")"),
                       "unsupported segmodel algorithm \"spectral\"");
    // A k-means text relabelled as k-prototypes lacks its keys (tol is not a kprototypes option).
    expect_model_error(
        patch(kSampleJson, R"("algorithm":"kmeans")", R"("algorithm":"kprototypes")"),
        "unknown key \"options.tol\"");
    // A newer model with new keys reports its version, not the unknown key.
    expect_model_error(patch(patch(kSampleJson, R"("version":1)", R"("version":2)"), R"("k":3,)",
                             R"("k":3,"categories":[],)"),
                       "unsupported segmodel version 2");
}

TEST(ModelJson, RejectsWrongTypesNamingTheKey) {
    const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases = {
        {{R"("k":3)", R"("k":"3")"}, "key \"k\" must be an integer between 1 and"},
        {{R"("k":3)", R"("k":3.5)"}, "key \"k\" must be an integer"},
        {{R"("dims":2)", R"("dims":null)"}, "key \"dims\" must be an integer"},
        {{R"("feature_names":["age")", R"("feature_names":[1)"},
         "key \"feature_names\" must be an array of strings or null"},
        {{R"("scaler":{"method":"standard","center":[38.5,60.25],"scale":[13.9,26.2]})",
          R"("scaler":7)"},
         "key \"scaler\" must be an object"},
        {{R"("method":"standard")", R"("method":"zscore")"},
         "key \"scaler.method\" must be one of \"standard\", \"minmax\", \"robust\", \"none\""},
        {{R"("center":[38.5,)", R"("center":["38.5",)"},
         "key \"scaler.center[0]\" must be a number"},
        {{R"("centroids":[[0.1,)", R"("centroids":[[true,)"},
         "key \"centroids[0][0]\" must be a number"},
        {{R"("centroids":[[0.1,-1.25],[-0,5e-324],[1.7976931348623157e+308,-3.5]])",
          R"("centroids":{})"},
         "key \"centroids\" must be an array of"},
        {{R"("sizes":[5,)", R"("sizes":[5.5,)"}, "key \"sizes[0]\" must be an integer"},
        {{R"("sizes":[5,)", R"("sizes":[99999999999999999999,)"},
         "key \"sizes[0]\" must be an integer"},
        {{R"("inertia":12.345678901234567)", R"("inertia":"12")"},
         "key \"inertia\" must be a number"},
        {{R"("n_iter":7)", R"("n_iter":-1)"}, "key \"n_iter\" must be an integer between 0"},
        {{R"("n_rows":10)", R"("n_rows":1e1000)"}, "out of range"},
        {{R"("n_skipped":2)", R"("n_skipped":false)"}, "key \"n_skipped\" must be an integer"},
        {{R"("options":{"scale":"standard","init":"k-means++","n_init":4,"max_iter":50,)"
          R"("tol":1e-300,"seed":9223372036854775807,"missing":"skip",)"
          R"("refine":"hartigan","feature_names":["age","income \"k$\""],"sample":null,)"
          R"("transform":null,"clip":null,"impute":"mean"})",
          R"("options":[])"},
         "key \"options\" must be an object"},
        {{R"("n_init":4)", R"("n_init":"4")"},
         "key \"options.n_init\" must be an integer between 1 and 10000"},
        {{R"("seed":9223372036854775807)", R"("seed":9223372036854775808)"},
         "key \"options.seed\" must be an integer between 0 and 9223372036854775807"},
        {{R"("missing":"skip")", R"("missing":"drop")"},
         "key \"options.missing\" must be one of \"skip\", \"error\", \"impute\""},
        {{R"("impute":null)", R"("impute":"none")"}, "key \"impute\" must be an array of numbers"},
        {{R"("feature_std":[13.9,)", R"("feature_std":[1e999,)"}, "out of range"},
        {{R"("mean_distance":[0.5,)", R"("mean_distance":[[0.5],)"},
         "key \"mean_distance[0]\" must be a number"},
    };
    for (const auto& [edit, needle] : cases) {
        SCOPED_TRACE(edit.second);
        expect_model_error(patch(kSampleJson, edit.first, edit.second), needle);
    }
}

TEST(ModelJson, RejectsInconsistentModels) {
    const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases = {
        {{R"("k":3)", R"("k":0)"}, "key \"k\" must be an integer between 1"},
        {{R"("k":3)", R"("k":2)"}, "key \"centroids\" must be an array of k = 2 arrays"},
        {{R"("dims":2)", R"("dims":3)"}, "key \"centroids[0]\" must be an array of dims = 3"},
        {{R"([0.1,-1.25])", R"([0.1])"}, "key \"centroids[0]\" must be an array of dims = 2"},
        {{R"("sizes":[5,3,2])", R"("sizes":[5,3,3])"}, "sizes sum to more than n_rows = 10"},
        {{R"("sizes":[5,3,2])", R"("sizes":[5,3,1])"}, "sizes sum to 9, expected n_rows = 10"},
        {{R"("sizes":[5,3,2])", R"("sizes":[5,3])"}, "sizes has 2 values, expected k = 3"},
        {{R"("sizes":[5,3,2])", R"("sizes":[5,-3,8])"}, "sizes[1] is negative"},
        {{R"("n_rows":10)", R"("n_rows":0)"}, "sizes sum to more than n_rows = 0"},
        {{R"("scale":[13.9,26.2])", R"("scale":[13.9,0])"}, "scale[1] must be a finite number"},
        {{R"("scale":[13.9,26.2])", R"("scale":[-13.9,26.2])"},
         "scale[0] must be a finite number greater than zero"},
        {{R"("center":[38.5,60.25])", R"("center":[38.5])"}, "the scaler has 1 centers"},
        {{R"("method":"standard")", R"("method":"minmax")"},
         "the scaler's method \"minmax\" differs from option \"scale\" = \"standard\""},
        {{R"("feature_names":["age","income \"k$\""],"scaler")",
          R"("feature_names":["age"],"scaler")"},
         "feature_names has 1 names, expected dims = 2"},
        {{R"("refine":"hartigan","feature_names":["age","income \"k$\""])",
          R"("refine":"hartigan","feature_names":["a","b","c"])"},
         "options.feature_names has 3 names, expected dims = 2"},
        {{R"("inertia":12.345678901234567)", R"("inertia":-1)"},
         "inertia must be a finite number >= 0"},
        {{R"("impute":null)", R"("impute":[1,2])"},
         "impute values are present but option \"missing\" is not \"impute\""},
        {{R"("missing":"skip")", R"("missing":"impute")"}, "impute has 0 values, expected dims"},
        {{R"("feature_mean":[38.5,60.25])", R"("feature_mean":[38.5])"},
         "feature_mean has 1 values, expected dims = 2"},
        {{R"("feature_std":[13.9,26.2])", R"("feature_std":[13.9,-26.2])"},
         "feature_std[1] is negative"},
        {{R"("mean_distance":[0.5,0.75,1e-300])", R"("mean_distance":[0.5,0.75])"},
         "mean_distance has 2 values, expected k = 3"},
        {{R"("n_init":4)", R"("n_init":0)"}, "\"options.n_init\" must be an integer between 1"},
        {{R"("max_iter":50)", R"("max_iter":1000001)"},
         "\"options.max_iter\" must be an integer between 1 and 1000000"},
        {{R"("tol":1e-300)", R"("tol":-1e-300)"}, "\"options.tol\" must be a finite number >= 0"},
    };
    for (const auto& [edit, needle] : cases) {
        SCOPED_TRACE(edit.second);
        expect_model_error(patch(kSampleJson, edit.first, edit.second), needle);
    }
    // k may not exceed the number of training rows.
    std::string few = patch(kSampleJson, R"("sizes":[5,3,2])", R"("sizes":[1,1,0])");
    few = patch(few, R"("n_rows":10)", R"("n_rows":2)");
    expect_model_error(few, "k = 3 exceeds n_rows = 2");
}

TEST(ModelJson, MutatedTextNeverCrashesAndRoundTripsWhenAccepted) {
    std::mt19937_64 gen(99);
    int accepted = 0;
    for (int i = 0; i < 5000; ++i) {
        std::string s = kSampleJson;
        const size_t pos = gen() % s.size();
        switch (gen() % 3) {
            case 0:
                s.erase(pos, 1 + gen() % 3);
                break;
            case 1:
                s.insert(pos, 1, "0123456789-.e,[]{}\""[gen() % 19]);
                break;
            default:
                s[pos] = "0123456789-.e,[]{}\""[gen() % 19];
                break;
        }
        try {
            const Model m = model_from_json(s);
            ++accepted;
            const std::string again = model_to_json(m);
            EXPECT_EQ(model_to_json(model_from_json(again)), again);
        } catch (const Error& e) {
            EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(ErrorKind::InvalidText))
                << e.what();
        }
    }
    EXPECT_GT(accepted, 0);
}

TEST(ModelJson, WritingAnInvalidModelIsAnInternalError) {
    Model m = sample_model();
    m.centroids[3] = std::nan("");
    expect_error([&] { model_to_json(m); }, ErrorKind::Internal, "centroids[3] is not finite");
    m = sample_model();
    m.centroids.pop_back();
    expect_error([&] { model_to_json(m); }, ErrorKind::Internal, "centroids has 5 values");
}

TEST(ValidateModel, PassesTheCallersKindAndChecksEveryField) {
    EXPECT_NO_THROW(validate_model(sample_model(), ErrorKind::InvalidBinary));
    EXPECT_NO_THROW(validate_model(sample_model(true), ErrorKind::InvalidBinary));
    struct Case {
        void (*mutate)(Model&);
        const char* needle;
    };
    const Case cases[] = {
        {[](Model& m) { m.k = 0; }, "k must be at least 1, got 0"},
        {[](Model& m) { m.dims = -1; }, "dims must be at least 1, got -1"},
        {[](Model& m) { m.options.scale = ScaleMethod(9); }, "option \"scale\" must be one of"},
        {[](Model& m) { m.options.init = InitMethod(2); }, "option \"init\" must be one of"},
        {[](Model& m) { m.options.missing = MissingPolicy(3); }, "option \"missing\" must be"},
        {[](Model& m) { m.options.seed = 1ULL << 63; }, "option \"seed\" must be an integer"},
        {[](Model& m) { m.options.tol = std::nan(""); }, "option \"tol\" must be a finite"},
        {[](Model& m) { m.options.has_feature_names = false; }, "option \"feature_names\""},
        {[](Model& m) { m.feature_names[1] = std::string("a\0b", 3); }, "contains a NUL byte"},
        {[](Model& m) { m.scaler.center[0] = INFINITY; }, "center[0] is not finite"},
        {[](Model& m) { m.n_skipped = -1; }, "n_skipped is negative"},
        {[](Model& m) { m.n_iter = -1; }, "n_iter is negative"},
        {[](Model& m) { m.n_rows = -1; }, "n_rows is negative"},
        {[](Model& m) { m.inertia = INFINITY; }, "inertia must be a finite number >= 0"},
        {[](Model& m) { m.mean_distance[2] = -1.0; }, "mean_distance[2] is negative"},
        {[](Model& m) { m.feature_mean[0] = std::nan(""); }, "feature_mean[0] is not finite"},
        {[](Model& m) {
             m.sizes = {INT64_MAX, INT64_MAX, 2};
         },
         "sizes sum to more than"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.needle);
        Model m = sample_model();
        c.mutate(m);
        const std::string msg = expect_error([&] { validate_model(m, ErrorKind::InvalidBinary); },
                                             ErrorKind::InvalidBinary, c.needle);
        EXPECT_EQ(msg.rfind("invalid segmodel: ", 0) == 0 || msg.rfind("scaler ", 0) == 0, true)
            << msg;
    }
}

TEST(ModelEnums, Names) {
    EXPECT_STREQ(init_method_name(InitMethod::KMeansPlusPlus), "k-means++");
    EXPECT_STREQ(init_method_name(InitMethod::Random), "random");
    EXPECT_STREQ(missing_policy_name(MissingPolicy::Skip), "skip");
    EXPECT_STREQ(missing_policy_name(MissingPolicy::Error), "error");
    EXPECT_STREQ(missing_policy_name(MissingPolicy::Impute), "impute");
}

// ---- segscaler ----

TEST(ScalerJson, RoundTrip) {
    Scaler s;
    s.method = ScaleMethod::Robust;
    s.center = {-0.0, 1e-300, 0.1};
    s.scale = {1.0, 5e-324, 1.7976931348623157e308};
    const std::string text = scaler_to_json(s);
    EXPECT_EQ(text, R"({"method":"robust","center":[-0,1e-300,0.1],)"
                    R"("scale":[1,5e-324,1.7976931348623157e+308]})");
    const Scaler back = scaler_from_json(text);
    EXPECT_EQ(back.method, ScaleMethod::Robust);
    EXPECT_EQ(bits(back.center[0]), bits(-0.0));
    EXPECT_EQ(back.scale, s.scale);
    EXPECT_EQ(scaler_to_json(back), text);
}

TEST(ScalerJson, RejectsBadInput) {
    const std::string good = R"({"method":"minmax","center":[1,2],"scale":[3,4]})";
    EXPECT_NO_THROW(scaler_from_json(good));
    auto bad = [](const std::string& text, const std::string& needle) {
        SCOPED_TRACE(text);
        expect_error([&] { scaler_from_json(text); }, ErrorKind::InvalidText, needle);
    };
    bad("[]", "invalid segscaler: expected a JSON object");
    bad(R"({"method":"minmax","center":[1,2]})", "invalid segscaler: missing key \"scale\"");
    bad(R"({"method":"minmax","center":[1,2],"scale":[3,4],"x":0})",
        "invalid segscaler: unknown key \"x\"");
    bad(R"({"method":"z","center":[1,2],"scale":[3,4]})",
        "key \"method\" must be one of \"standard\", \"minmax\", \"robust\", \"none\"");
    bad(R"({"method":1,"center":[1,2],"scale":[3,4]})", "key \"method\" must be one of");
    bad(R"({"method":"minmax","center":[1,"2"],"scale":[3,4]})",
        "key \"center[1]\" must be a number");
    bad(R"({"method":"minmax","center":[1,2],"scale":[3,0]})", "scale[1] must be a finite");
    bad(R"({"method":"minmax","center":[1,2],"scale":[-3,4]})", "scale[0] must be a finite");
    bad(R"({"method":"minmax","center":[1,2],"scale":[3]})", "center has 2 entries");
    bad(R"({"method":"minmax","center":[],"scale":[]})", "scaler has no features");
    bad(R"({"method":"minmax","center":[1e400],"scale":[1]})", "out of range");
    bad(R"({"method":"minmax","method":"none","center":[1],"scale":[1]})", "duplicate");
}

// ---- kmeans_fit options ----

TEST(KMeansOptions, DefaultsFromEmptyObject) {
    const KMeansOptions o = parse_kmeans_options("{}");
    EXPECT_EQ(o.scale, ScaleMethod::Standard);
    EXPECT_EQ(o.init, InitMethod::KMeansPlusPlus);
    EXPECT_EQ(o.n_init, 10);
    EXPECT_EQ(o.max_iter, 300);
    EXPECT_EQ(o.tol, 1e-4);
    EXPECT_EQ(o.seed, 0u);
    EXPECT_EQ(o.missing, MissingPolicy::Skip);
    EXPECT_FALSE(o.has_feature_names);
    EXPECT_TRUE(o.feature_names.empty());
    EXPECT_EQ(kmeans_options_to_json(o),
              R"({"scale":"standard","init":"k-means++","n_init":10,"max_iter":300,)"
              R"("tol":1e-04,"seed":0,"missing":"skip","refine":"hartigan",)"
              R"("feature_names":null,"sample":null,"transform":null,"clip":null,"impute":"mean"})");
}

TEST(KMeansOptions, EveryKeyAsJsonbPrintsIt) {
    const KMeansOptions o = parse_kmeans_options(
        R"({"tol": 0, "init": "random", "seed": 9223372036854775807, "scale": "robust", )"
        R"("n_init": 10000, "missing": "impute", "max_iter": 1000000, "sample": 250000, )"
        R"("feature_names": ["age", "income"]})");
    EXPECT_EQ(o.scale, ScaleMethod::Robust);
    EXPECT_EQ(o.sample, 250000);
    EXPECT_EQ(o.init, InitMethod::Random);
    EXPECT_EQ(o.n_init, 10000);
    EXPECT_EQ(o.max_iter, 1000000);
    EXPECT_EQ(o.tol, 0.0);
    EXPECT_EQ(o.seed, 9223372036854775807ULL);
    EXPECT_EQ(o.missing, MissingPolicy::Impute);
    EXPECT_TRUE(o.has_feature_names);
    EXPECT_EQ(o.feature_names, (std::vector<std::string>{"age", "income"}));
    EXPECT_EQ(kmeans_options_to_json(o),
              R"({"scale":"robust","init":"random","n_init":10000,"max_iter":1000000,)"
              R"("tol":0,"seed":9223372036854775807,"missing":"impute",)"
              R"("refine":"hartigan","feature_names":["age","income"],"sample":250000,)"
              R"("transform":null,"clip":null,"impute":"mean"})");
    // jsonb keeps the scale of numerics: 5.0 is still an integer, 1.5e-3 a number.
    const KMeansOptions p =
        parse_kmeans_options(R"({"n_init": 5.0, "seed": 1.2e1, "tol": 1.5e-3, "scale": "none",)"
                             R"( "missing": "error", "feature_names": null})");
    EXPECT_EQ(p.n_init, 5);
    EXPECT_EQ(p.seed, 12u);
    EXPECT_EQ(p.tol, 1.5e-3);
    EXPECT_EQ(p.scale, ScaleMethod::None);
    EXPECT_EQ(p.missing, MissingPolicy::Error);
    EXPECT_FALSE(p.has_feature_names);
    EXPECT_EQ(parse_kmeans_options(R"({"scale":"minmax"})").scale, ScaleMethod::MinMax);
    EXPECT_EQ(parse_kmeans_options(R"({"scale":"standard"})").scale, ScaleMethod::Standard);
    EXPECT_EQ(parse_kmeans_options(R"({"init":"k-means++"})").init, InitMethod::KMeansPlusPlus);
    EXPECT_EQ(parse_kmeans_options(R"({"missing":"skip"})").missing, MissingPolicy::Skip);
    EXPECT_TRUE(parse_kmeans_options(R"({"feature_names":[]})").has_feature_names);
    EXPECT_EQ(parse_kmeans_options(R"({"refine":"none"})").refine, RefineMethod::None);
    EXPECT_EQ(parse_kmeans_options(R"({})").refine, RefineMethod::Hartigan);
    EXPECT_THROW(parse_kmeans_options(R"({"refine":"lloyd"})"), Error);
}

TEST(KMeansOptions, UnknownKeyListsValidKeys) {
    try {
        parse_kmeans_options(R"({"n_init": 3, "k": 5})");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidParameter);
        EXPECT_STREQ(e.what(), "unknown kmeans_fit option \"k\"");
        EXPECT_EQ(e.detail(),
                  "Valid options are: scale, init, n_init, max_iter, tol, seed, missing, refine, "
                  "feature_names, sample, transform, clip, impute.");
    }
}

// model_option_keys (seg_train's list, seg_kind_options) is exactly what each fit's parser
// lists as valid when it refuses a key.
TEST(KMeansOptions, ModelOptionKeysAreTheParsersValidKeys) {
    for (uint8_t code = 0; code <= kModelAlgorithmLast; ++code) {
        const ModelAlgorithm a = ModelAlgorithm(code);
        std::string listed;
        for (const char* key : model_option_keys(a))
            listed += (listed.empty() ? "" : ", ") + std::string(key);
        try {
            parse_model_options(R"({"zz_unknown": 1})", a);
            FAIL() << "no error for algorithm " << int(code);
        } catch (const Error& e) {
            EXPECT_EQ(e.detail(), "Valid options are: " + listed + ".") << int(code);
        }
    }
    const std::vector<const char*> gmm = model_option_keys(ModelAlgorithm::Gmm);
    const auto has = [&gmm](const char* key) {
        return std::any_of(gmm.begin(), gmm.end(),
                           [key](const char* k) { return std::strcmp(k, key) == 0; });
    };
    EXPECT_TRUE(has("covariance"));
    EXPECT_FALSE(has("sample"));
}

TEST(KMeansOptions, BadValuesNameTheKeyAndTheValidValues) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"scale":"zscore"})",
         R"(kmeans_fit option "scale" must be one of "standard", "minmax", "robust", "none")"},
        {R"({"scale":null})", R"(kmeans_fit option "scale" must be one of)"},
        {R"({"init":"kmeans++"})",
         R"(kmeans_fit option "init" must be one of "k-means++", "random")"},
        {R"({"init":1})", R"(kmeans_fit option "init" must be one of)"},
        {R"({"n_init":0})", R"(kmeans_fit option "n_init" must be an integer between 1 and 10000)"},
        {R"({"n_init":10001})", R"(kmeans_fit option "n_init" must be an integer between 1)"},
        {R"({"n_init":2.5})", R"(kmeans_fit option "n_init" must be an integer)"},
        {R"({"n_init":"3"})", R"(kmeans_fit option "n_init" must be an integer)"},
        {R"({"max_iter":0})",
         R"(kmeans_fit option "max_iter" must be an integer between 1 and 1000000)"},
        {R"({"max_iter":1000001})", R"(kmeans_fit option "max_iter" must be an integer)"},
        {R"({"max_iter":1e100})", R"(kmeans_fit option "max_iter" must be an integer)"},
        {R"({"tol":-0.001})", R"(kmeans_fit option "tol" must be a finite number >= 0)"},
        {R"({"tol":"0.1"})", R"(kmeans_fit option "tol" must be a finite number >= 0)"},
        {R"({"tol":1e400})", "out of range"},
        {R"({"seed":-1})",
         R"(kmeans_fit option "seed" must be an integer between 0 and 9223372036854775807)"},
        {R"({"seed":9223372036854775808})", R"(kmeans_fit option "seed" must be an integer)"},
        {R"({"seed":0.5})", R"(kmeans_fit option "seed" must be an integer)"},
        {R"({"seed":true})", R"(kmeans_fit option "seed" must be an integer)"},
        {R"({"missing":"drop"})",
         R"(kmeans_fit option "missing" must be one of "skip", "error", "impute")"},
        {R"({"feature_names":"age"})",
         R"(kmeans_fit option "feature_names" must be an array of strings or null)"},
        {R"({"feature_names":["a",1]})", R"(kmeans_fit option "feature_names" must be)"},
        {R"({"feature_names":[["a"]]})", R"(kmeans_fit option "feature_names" must be)"},
        {"[]", "kmeans_fit options must be a JSON object"},
        {"null", "kmeans_fit options must be a JSON object"},
        {"3", "kmeans_fit options must be a JSON object"},
        {"{", "invalid JSON at byte 1"},
        {R"({"seed":1,"seed":2})", "duplicate object key \"seed\""},
    };
    for (const auto& [text, needle] : cases) {
        SCOPED_TRACE(text);
        expect_error([&] { parse_kmeans_options(text); }, ErrorKind::InvalidParameter, needle);
    }
    // The detail shows what was given.
    try {
        parse_kmeans_options(R"({"init":"kmeans++"})");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.detail(), "Got \"kmeans++\".");
    }
    // A long value is cut short, never inside a UTF-8 sequence.
    std::string e_acute;
    for (int i = 0; i < 40; ++i) e_acute += "\xc3\xa9";
    try {
        parse_kmeans_options(R"({"init":")" + e_acute + R"("})");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.detail(), "Got \"" + e_acute.substr(0, 58) + "....");
    }
}

TEST(KMeansOptions, ValidateMatchesTheParser) {
    KMeansOptions o;
    EXPECT_NO_THROW(validate_kmeans_options(o, ErrorKind::Internal, ""));
    o.n_init = 0;
    expect_error([&] { validate_kmeans_options(o, ErrorKind::Internal, "pre: "); },
                 ErrorKind::Internal, "pre: option \"n_init\" must be an integer between 1");
    o = KMeansOptions();
    o.feature_names = {"a"};  // names without has_feature_names
    expect_error([&] { validate_kmeans_options(o, ErrorKind::Internal, ""); }, ErrorKind::Internal,
                 "option \"feature_names\"");
    o = KMeansOptions();
    o.max_iter = 2000000;
    expect_error([&] { validate_kmeans_options(o, ErrorKind::DataException, ""); },
                 ErrorKind::DataException, "option \"max_iter\"");
}

}  // namespace
}  // namespace cseg
