// misplaced_feature_name: the label trigger's check of its columns against a model's names.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "feature_order.hpp"
#include "model_codec.hpp"
#include "model_json.hpp"

namespace {

// A one-row k-means model over features named `names` (a JSON array, or null), as
// kmeans_fit wrote it for the rows (1, 2).
std::string model_text(const std::string& names) {
    return R"({"algorithm":"kmeans","version":1,"k":1,"dims":2,"feature_names":)" + names +
           R"(,"scaler":{"method":"standard","center":[1,2],"scale":[1,1]},"centroids":[[0,0]],)"
           R"("sizes":[1],"inertia":0,"n_iter":1,"n_rows":1,"n_skipped":0,"n_seen":1,)"
           R"("options":{"scale":"standard","init":"k-means++","n_init":10,"max_iter":300,)"
           R"("tol":1e-04,"seed":0,"missing":"skip","refine":"hartigan","feature_names":null,)"
           R"("sample":null,"transform":null,"clip":null,"impute":"mean"},"impute":null,)"
           R"("transform":["none","none"],"lambdas":null,"clip_bounds":null,)"
           R"("feature_deciles":[[1,1,1,1,1,1,1,1,1],[2,2,2,2,2,2,2,2,2]],)"
           R"("feature_decile_shares":[[1,0,0,0,0,0,0,0,0,0],[1,0,0,0,0,0,0,0,0,0]],)"
           R"("feature_mean":[1,2],"feature_std":[0,0],"mean_distance":[0]})";
}

// misplaced_feature_name of `columns` against the model named `names`: {column, position}.
std::pair<int32_t, int32_t> misplaced(const std::string& names,
                                      const std::vector<const char*>& columns) {
    const cseg::Model m = cseg::model_from_json(model_text(names));
    std::vector<uint64_t> buf(cseg::model_encoded_size(m) / 8 + 1);
    auto* data = reinterpret_cast<uint8_t*>(buf.data());
    cseg::model_encode(m, data);
    const cseg::ModelView v = cseg::model_view(data, cseg::model_encoded_size(m));
    int32_t at = -1;
    const int32_t column =
        cseg::misplaced_feature_name(v, columns.data(), int32_t(columns.size()), &at);
    return {column, at};
}

TEST(FeatureOrder, SameOrderOrOtherNamesPass) {
    EXPECT_EQ(misplaced(R"(["age","income"])", {"age", "income"}).first, -1);
    EXPECT_EQ(misplaced(R"(["age","income"])", {"x", "y"}).first, -1);
    EXPECT_EQ(misplaced(R"(["age","income"])", {"age", "y"}).first, -1);
    EXPECT_EQ(misplaced(R"(["age","income"])", {"Age", "Income"}).first, -1);
    EXPECT_EQ(misplaced("null", {"income", "age"}).first, -1);
}

TEST(FeatureOrder, ReorderedColumnsAreFound) {
    // Column 0 "income" is model feature 1: reported as column 0 at model position 1.
    EXPECT_EQ(misplaced(R"(["age","income"])", {"income", "age"}),
              std::make_pair(int32_t(0), int32_t(1)));
    EXPECT_EQ(misplaced(R"(["age","income"])", {"x", "age"}),
              std::make_pair(int32_t(1), int32_t(0)));
    EXPECT_EQ(misplaced(R"(["age","income"])", {"income", "y"}),
              std::make_pair(int32_t(0), int32_t(1)));
    // A name that is a prefix of another is another name.
    EXPECT_EQ(misplaced(R"(["ag","age"])", {"age", "ag"}),
              std::make_pair(int32_t(0), int32_t(1)));
}

TEST(FeatureOrder, RepeatedModelNamesInPlaceAreNotMisplaced) {
    // A model fitted with "feature_names": ["a", "a"]: column a is in place at 0.
    EXPECT_EQ(misplaced(R"(["a","a"])", {"a", "b"}).first, -1);
    EXPECT_EQ(misplaced(R"(["a","a"])", {"b", "a"}).first, -1);
    EXPECT_EQ(misplaced(R"(["a","b"])", {"a", "a"}),
              std::make_pair(int32_t(1), int32_t(0)));
}

}  // namespace
