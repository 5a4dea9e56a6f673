// libFuzzer target: segscaler binary input (scaler_decode). Errors are InvalidBinary; an
// accepted encoding is canonical and round-trips through JSON.
#include <string>

#include "fuzz_common.hpp"

// One fuzz input: decode as a binary scaler, then check canonical form and round trips.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    cseg::Scaler s;
    try {
        s = cseg::scaler_decode(data, size, cseg::ErrorKind::InvalidBinary);
    } catch (const cseg::Error& e) {
        cseg::fuzz::require(e.kind() == cseg::ErrorKind::InvalidBinary,
                            "scaler_decode threw an error of another kind");
        return 0;
    }
    cseg::fuzz::require(cseg::fuzz::encode_scaler(s) ==
                            std::string(reinterpret_cast<const char*>(data), size),
                        "an accepted binary scaler is not in canonical form");
    cseg::fuzz::check_scaler_round_trips(s);
    return 0;
}
