// libFuzzer target: segmodel text input (model_from_json). Any input either fails with a
// cseg::Error or yields a model whose JSON and binary forms round-trip exactly.
#include <string_view>

#include "fuzz_common.hpp"

// One fuzz input: parse as a model's JSON text, then check the round trips.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    cseg::Model m;
    try {
        m = cseg::model_from_json(text);
    } catch (const cseg::Error& e) {
        cseg::fuzz::require(e.kind() == cseg::ErrorKind::InvalidText,
                            "model_from_json threw an error of another kind");
        return 0;
    }
    cseg::fuzz::check_model_round_trips(m);
    // An accepted text that model_to_json did not write itself still prints canonically.
    const std::string canonical = cseg::model_to_json(m);
    cseg::fuzz::require(cseg::model_to_json(cseg::model_from_json(canonical)) == canonical,
                        "canonical model text is not a fixed point");
    return 0;
}
