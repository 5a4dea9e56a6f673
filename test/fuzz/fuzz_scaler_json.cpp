// libFuzzer target: segscaler text input (scaler_from_json); errors are cseg::Error of kind
// InvalidText, accepted scalers round-trip exactly through JSON and binary.
#include <string_view>

#include "fuzz_common.hpp"

// One fuzz input: parse as a scaler's JSON text, then check the round trips.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    cseg::Scaler s;
    try {
        s = cseg::scaler_from_json(text);
    } catch (const cseg::Error& e) {
        cseg::fuzz::require(e.kind() == cseg::ErrorKind::InvalidText,
                            "scaler_from_json threw an error of another kind");
        return 0;
    }
    cseg::fuzz::check_scaler_round_trips(s);
    return 0;
}
