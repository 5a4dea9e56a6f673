// Binary layout of segmodel and segscaler: the on-disk datum and the send/recv format.
//
// Little-endian, fixed-width fields. A model is an 80-byte header, then arrays of 8-byte
// values (8-aligned relative to the buffer start), then the feature-name strings:
//
//   off size  field
//     0    4  magic "CSGM"
//     4    1  format version (Model::kFormatVersion)
//     5    1  algorithm (ModelAlgorithm: 0 = kmeans, 1 = kprototypes, 2 = hierarchical,
//             3 = gmm, 4 = dbscan; accepted once the kind is registered)
//     6    1  options.scale     7  1  options.init     8  1  options.missing
//     9    1  flags: bit 0 = model feature names stored, bit 1 = options.has_feature_names,
//             bit 2 = sampling tail present (options.sample > 0), bit 3 = option "transform"
//             set, bit 4 = option "clip" set, bit 5 = training deciles stored
//    10    1  options.refine: 0 hartigan, 1 none
//    11    1  options.impute: 0 mean, 1 median, 2 zero
//    12    4  k (int32)        16  4  dims (int32)
//    20    4  options.n_init   24  4  options.max_iter   28  4  n_iter
//    32    8  options.tol (double)   40  8  options.seed (uint64)
//    48    8  inertia (double)       56  8  n_rows (int64)   64  8  n_skipped (int64)
//    72    8  byte length of the name section (uint64)
//    80       scaler.center[dims], scaler.scale[dims], centroids[k*dims], sizes[k] (int64),
//             mean_distance[k], feature_mean[dims], feature_std[dims],
//             impute[dims] (only when options.missing = impute), then the feature pipeline:
//             with bit 3 the transform codes (dims bytes: 0 none, 1 log1p, 2 sqrt,
//             3 yeo-johnson, zero-padded to 8) and lambdas[dims]; with bit 4 the quantiles
//             options.clip (2 doubles), clip_lo[dims], clip_hi[dims]; with bit 5 the training
//             deciles[dims * 9] and decile shares[dims * 10]
//     ...     name section: for each stored list (model names, then option names), dims
//             entries of (uint32 byte length, bytes); no padding after it.
//
// A k-prototypes model (algorithm 1) inserts a 56-byte categorical header after the first 80
// bytes and adds the categorical arrays and texts; the k-means parts keep their meaning:
//
//    80    4  categorical dims q (int32)
//    84    1  flags: bit 0 = categorical names stored, bit 1 = options.has_gamma,
//             bit 2 = options.has_categorical_names
//    85    3  reserved, zero
//    88    8  V, the number of categories of all attributes (uint64)
//    96    8  gamma (double)     104  8  options.gamma (double, 0 unless given)
//   112    8  cost (double)      120  8  byte length of the categorical name section (uint64)
//   128    8  byte length of the category text (uint64)
//   136       the k-means arrays as above (impute included), then mode_share[k*q] (double),
//             vocab_start[q+1] (int64: attribute j's categories are numbers vocab_start[j] ..
//             vocab_start[j+1]-1), vocab_offset[V+1] (int64: category v's text is bytes
//             vocab_offset[v] .. vocab_offset[v+1]-1 of the category text), modes[k*q] (int32
//             codes within the attribute, zero-padded to 8 bytes), categorical impute[q]
//             (int32, zero-padded; only when options.missing = impute)
//     ...     the feature name section, then the categorical name section (model names, then
//             option names, each q entries of (uint32 length, bytes)), then the category text
//             (every category of attribute 1, 2, ... in code order, concatenated).
//
// A model fitted on a sample (flags bit 2) ends with a 16-byte sampling tail after all of the
// above: options.sample (int64), then n_seen (int64), at whatever alignment the texts leave.
// Models without it are encoded exactly as before the option existed.
//
// The kind section (model family, model_kind.hpp): a kind whose ModelKind::arrays() is not
// empty (every kind after k-prototypes) follows all of the above, zero-padded to a multiple of
// 8 bytes, with one entry per array spec, in order: rows (int64), then rows * cols 8-byte
// values (double or int64). k-means and k-prototypes models have no kind section, so their
// encoding is unchanged. The format version stays 1: a new algorithm code is what an older
// reader refuses ("unsupported algorithm code").
//
// In PostgreSQL, VARDATA of a 4-byte-header varlena is only 4-aligned: keep the encoding at an
// 8-aligned offset inside the datum (e.g. after 4 pad bytes) so model_view can point into it.
//
// A scaler is a 16-byte header ("CSGS", version 1, method, 2 reserved zero bytes, dims
// int32, 4 reserved zero bytes), then center[dims], scale[dims].
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "errors.hpp"
#include "model.hpp"
#include "scaler.hpp"

namespace cseg {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the segmodel binary format is written with little-endian host loads/stores");

// The header's algorithm byte is a ModelAlgorithm (model.hpp).
constexpr size_t kModelHeaderSize = 80;
constexpr size_t kCategoricalHeaderSize = 56;
constexpr size_t kScalerHeaderSize = 16;
constexpr uint8_t kScalerFormatVersion = 1;

// Exact number of bytes model_encode writes; throws Error(Internal) for an invalid model
// and Error(ProgramLimit) when the encoding would not fit a size_t / uint32 name length.
size_t model_encoded_size(const Model& m);

// Writes exactly model_encoded_size(m) bytes to out (8-byte aligned); deterministic, padding
// and reserved bytes zeroed. Throws like model_encoded_size.
void model_encode(const Model& m, uint8_t* out);

// Decodes and fully validates (header, lengths with overflow-safe arithmetic, enum codes,
// then validate_model). Never reads outside [data, data + len); alignment not required.
// Throws Error(kind) with a clear message.
Model model_decode(const uint8_t* data, size_t len, ErrorKind kind);

// Pointers into an encoded model, for hot paths that must not copy it.
struct ModelView {
    int32_t k, dims;
    const double* center;         // dims
    const double* scale;          // dims
    const double* centroids;      // k * dims, row-major, scaled space
    const double* impute;         // dims, nullptr unless options.missing = impute
    const int64_t* sizes;         // k
    const double* mean_distance;  // k
    ModelAlgorithm algorithm;
    // k-prototypes only (cat_dims = 0 and null pointers for k-means), layout as above:
    int32_t cat_dims;             // q
    const int64_t* vocab_start;   // q + 1
    const int64_t* vocab_offset;  // V + 1
    const char* cat_text;         // the category text
    const int32_t* modes;         // k * q
    const double* mode_share;     // k * q
    const int32_t* cat_impute;    // q, nullptr unless options.missing = impute
    double gamma;
    const uint8_t* cat_names;     // the model's categorical names, nullptr when not stored
    const uint8_t* cat_names_end; // end of the categorical name section
    // The feature pipeline (nullptr when a step is off):
    const uint8_t* transform;     // dims FeatureTransform codes, nullptr when all "none"
    const double* lambdas;        // dims, with transform
    const double* clip_lo;        // dims
    const double* clip_hi;        // dims
    const double* deciles;        // dims * 9, nullptr in models without deciles
    const double* decile_shares;  // dims * 10
    const uint8_t* names;         // the model's feature names (length-prefixed), or nullptr
    const uint8_t* names_end;     // end of the name section
    // The projection tail (model_codec.cpp, kFlagProjection): 4 + 3 * dims doubles, NOT
    // 8-aligned (read with memcpy), in the order variance[2], variance_ratio[2], mean[dims],
    // components[2 * dims]; nullptr when the model has no projection.
    const uint8_t* projection;
    // The kind section: array i (of ModelKind::arrays()) has kind_rows[i] rows of 8-byte
    // values at kind_array[i] (double or int64 as its spec says), for i < n_kind_arrays.
    static constexpr int32_t kMaxKindArrays = 16;
    int32_t n_kind_arrays;
    const void* kind_array[kMaxKindArrays];
    int64_t kind_rows[kMaxKindArrays];
    // The features whose transform is log1p, in order, when there are at most
    // kMaxLog1pIndex of them (n_log1p = 0 otherwise or without any): assign computes their
    // logs four at a time (pipeline_log1p_at) before its pass over the features.
    static constexpr int32_t kMaxLog1pIndex = 64;
    int32_t n_log1p;
    int32_t log1p_index[kMaxLog1pIndex];

    // Kind array i as doubles / as int64 (its spec says which).
    const double* kind_doubles(int32_t i) const { return static_cast<const double*>(kind_array[i]); }
    const int64_t* kind_integers(int32_t i) const {
        return static_cast<const int64_t*>(kind_array[i]);
    }
};

// The model's name of feature j from a view ("" when the model stores no names).
std::string view_feature_name(const ModelView& v, int32_t j);

// Checks the header and every length fully (throws Error(Internal): a stored datum that
// fails is corrupt) and requires data to be 8-byte aligned. It does NOT re-check the
// numbers: they were validated when the value was built or read (input, recv, fit); for
// k-prototypes it does check the category index and codes, so every lookup stays in bounds.
ModelView model_view(const uint8_t* data, size_t len);

// Exact number of bytes scaler_encode writes; throws Error(Internal) for an invalid scaler.
size_t scaler_encoded_size(const Scaler& s);

// Writes exactly scaler_encoded_size(s) bytes to out; deterministic, reserved bytes zeroed.
void scaler_encode(const Scaler& s, uint8_t* out);

// Decodes and fully validates a scaler (header, length, method, validate_scaler); never
// reads outside [data, data + len). Throws Error(kind).
Scaler scaler_decode(const uint8_t* data, size_t len, ErrorKind kind);

}  // namespace cseg
