// Shared by the libFuzzer targets: a hard failure that libFuzzer records as a crash, and the
// canonical encodings the round-trip checks compare.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "model.hpp"
#include "model_codec.hpp"
#include "model_json.hpp"

namespace cseg::fuzz {

// Aborts (a libFuzzer "crash", input saved) when a round-trip invariant does not hold.
inline void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
}

// The binary encoding of a model, into 8-byte aligned storage (as the datum keeps it).
inline std::vector<uint64_t> encode_model(const Model& m, size_t* len) {
    *len = model_encoded_size(m);
    std::vector<uint64_t> buf((*len + 7) / 8 + 1, 0);
    model_encode(m, reinterpret_cast<uint8_t*>(buf.data()));
    return buf;
}

// The binary encoding of a scaler as a byte string.
inline std::string encode_scaler(const Scaler& s) {
    std::string out(scaler_encoded_size(s), '\0');
    scaler_encode(s, reinterpret_cast<uint8_t*>(out.data()));
    return out;
}

// The bytes of an encoded model as a string, for equality checks.
inline std::string model_bytes(const Model& m) {
    size_t len = 0;
    const std::vector<uint64_t> buf = encode_model(m, &len);
    return std::string(reinterpret_cast<const char*>(buf.data()), len);
}

// Every check a decoded model must pass whatever its origin: JSON and binary round trips
// reproduce it exactly, and model_view over its encoding agrees with it.
inline void check_model_round_trips(const Model& m) {
    // JSON: text -> model -> text is a fixed point.
    const std::string json = model_to_json(m);
    const Model from_json = model_from_json(json);
    require(model_to_json(from_json) == json, "model JSON round trip changed the text");

    // Binary: encode -> decode -> encode gives the same bytes, and JSON agrees with binary.
    size_t len = 0;
    const std::vector<uint64_t> buf = encode_model(m, &len);
    const auto* bytes = reinterpret_cast<const uint8_t*>(buf.data());
    const Model decoded = model_decode(bytes, len, ErrorKind::InvalidBinary);
    const std::string first(reinterpret_cast<const char*>(bytes), len);
    require(model_bytes(decoded) == first, "model binary round trip changed the bytes");
    require(model_bytes(from_json) == first, "model JSON and binary encodings disagree");
    require(model_to_json(decoded) == json, "model decoded from binary prints differently");

    // model_view points at the same numbers decode copied out.
    const ModelView v = model_view(bytes, len);
    require(v.k == m.k && v.dims == m.dims, "model_view header differs");
    const size_t d = size_t(m.dims), k = size_t(m.k);
    for (size_t j = 0; j < d; ++j)
        require(v.center[j] == m.scaler.center[j] && v.scale[j] == m.scaler.scale[j],
                "model_view scaler differs");
    for (size_t i = 0; i < k * d; ++i) require(v.centroids[i] == m.centroids[i], "centroids");
    for (size_t c = 0; c < k; ++c) require(v.sizes[c] == m.sizes[c], "model_view sizes differ");
    require((v.impute != nullptr) == (m.options.missing == MissingPolicy::Impute),
            "model_view impute pointer");
}

// The same for a scaler: JSON and binary round trips are exact and agree.
inline void check_scaler_round_trips(const Scaler& s) {
    const std::string json = scaler_to_json(s);
    const Scaler from_json = scaler_from_json(json);
    require(scaler_to_json(from_json) == json, "scaler JSON round trip changed the text");
    const std::string bytes = encode_scaler(s);
    const Scaler decoded = scaler_decode(reinterpret_cast<const uint8_t*>(bytes.data()),
                                         bytes.size(), ErrorKind::InvalidBinary);
    require(encode_scaler(decoded) == bytes, "scaler binary round trip changed the bytes");
    require(encode_scaler(from_json) == bytes, "scaler JSON and binary encodings disagree");
}

}  // namespace cseg::fuzz
