// libFuzzer target: segmodel binary input (model_decode, the recv and on-disk path). Errors
// are InvalidBinary; an accepted encoding is canonical (re-encodes to the same bytes) and
// round-trips through JSON.
#include <cstring>
#include <vector>

#include "fuzz_common.hpp"

// One fuzz input: decode as a binary model, then check canonical form and round trips.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    cseg::Model m;
    try {
        m = cseg::model_decode(data, size, cseg::ErrorKind::InvalidBinary);
    } catch (const cseg::Error& e) {
        cseg::fuzz::require(e.kind() == cseg::ErrorKind::InvalidBinary,
                            "model_decode threw an error of another kind");
        // model_view (used on stored datums) must reject what decode rejects for its
        // header and lengths, or accept it without reading outside the buffer.
        std::vector<uint64_t> aligned((size + 7) / 8 + 1, 0);
        if (size > 0) std::memcpy(aligned.data(), data, size);
        try {
            cseg::model_view(reinterpret_cast<const uint8_t*>(aligned.data()), size);
        } catch (const cseg::Error&) {
        }
        return 0;
    }
    cseg::fuzz::require(cseg::fuzz::model_bytes(m) ==
                            std::string(reinterpret_cast<const char*>(data), size),
                        "an accepted binary model is not in canonical form");
    cseg::fuzz::check_model_round_trips(m);
    return 0;
}
