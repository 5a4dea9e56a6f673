// libFuzzer target: the kmeans_fit options parser (parse_kmeans_options). Errors are
// InvalidParameter; accepted options print, re-parse and validate to the same thing.
#include <string_view>

#include "fuzz_common.hpp"

// One fuzz input: parse as an options object, then check print -> parse is a fixed point.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    cseg::KMeansOptions o;
    try {
        o = cseg::parse_kmeans_options(text);
    } catch (const cseg::Error& e) {
        cseg::fuzz::require(e.kind() == cseg::ErrorKind::InvalidParameter,
                            "parse_kmeans_options threw an error of another kind");
        return 0;
    }
    // Whatever the parser accepts is valid by the model's own rules...
    cseg::validate_kmeans_options(o, cseg::ErrorKind::Internal, "fuzz: ");
    // ...and printing it gives a text that parses back to the same options.
    const std::string json = cseg::kmeans_options_to_json(o);
    const cseg::KMeansOptions again = cseg::parse_kmeans_options(json);
    cseg::fuzz::require(cseg::kmeans_options_to_json(again) == json,
                        "options JSON round trip changed the text");
    cseg::fuzz::require(again.has_feature_names == o.has_feature_names &&
                            again.feature_names == o.feature_names && again.seed == o.seed &&
                            again.n_init == o.n_init && again.max_iter == o.max_iter &&
                            again.tol == o.tol && again.scale == o.scale &&
                            again.init == o.init && again.missing == o.missing,
                        "options differ after a round trip");
    return 0;
}
