// JSON text forms of segmodel and segscaler, and the kmeans_fit / kprototypes_fit options
// parsers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "model.hpp"
#include "scaler.hpp"

namespace cseg {

// Compact JSON of a model, keys in this order: algorithm, version, k, dims, feature_names
// (null when empty), scaler {method, center, scale}, centroids (k arrays), sizes, inertia,
// n_iter, n_rows, n_skipped, options {...}, impute (null unless missing = impute),
// feature_mean, feature_std, mean_distance. Doubles are shortest round-trip. A k-prototypes
// model ("algorithm": "kprototypes"; its options have no tol but gamma and
// categorical_names) continues with gamma, cost, categorical_dims, categorical_names (null
// when empty), categories (q arrays of strings), modes (k arrays of q category names),
// mode_shares (k arrays of q numbers), categorical_impute (q names or null).
std::string model_to_json(const Model& m);

// Strict inverse of model_to_json: every key required ("impute" may be null or absent
// unless missing = impute), no unknown keys, integers exact, then validate_model.
// Throws Error(InvalidText) naming the offending key. model_to_json(model_from_json(t)) == t
// for every t that model_to_json produced.
Model model_from_json(std::string_view text);

// {"method":...,"center":[...],"scale":[...]}.
std::string scaler_to_json(const Scaler& s);

// Strict inverse of scaler_to_json, then validate_scaler; throws Error(InvalidText).
Scaler scaler_from_json(std::string_view text);

// Parses the kprototypes_fit options object: the kmeans_fit keys except tol, plus gamma (a
// finite number >= 0, or null for the default) and categorical_names (array of strings or
// null). Errors as parse_kmeans_options, naming kprototypes_fit.
KMeansOptions parse_kprototypes_options(std::string_view json);

// Parses the options object of the fit aggregate of algorithm a (its kind's fit_function
// names it in messages): the keys of kOptionFields marked for a. Errors as
// parse_kmeans_options.
KMeansOptions parse_model_options(std::string_view json, ModelAlgorithm a);

// The option keys of the fit aggregate of algorithm a, in kOptionFields order (static
// strings): what parse_model_options accepts.
std::vector<const char*> model_option_keys(ModelAlgorithm a);

// Parses the kmeans_fit options object (the text of a jsonb object, "{}" for defaults).
// Keys: scale, init, n_init (1..10000), max_iter (1..1000000), tol (finite, >= 0),
// seed (0..2^63-1), missing, feature_names (array of strings or null). Throws
// Error(InvalidParameter) naming the key and the valid values; an unknown key's error
// lists every valid key in its detail.
KMeansOptions parse_kmeans_options(std::string_view json);

// parse_kmeans_options for a function that passes kmeans_fit's options on (kmeans_sweep,
// kmeans_stream_fit): messages name `caller`, and its own keys `own_keys` (which it reads
// itself) are allowed, ignored here, and listed with the others when a key is unknown.
KMeansOptions parse_passed_kmeans_options(std::string_view json, const char* caller,
                                          const std::vector<const char*>& own_keys);

// Every option with its value, in the order above (the "options" member of a model).
std::string kmeans_options_to_json(const KMeansOptions& o);

// Throws Error(kind, prefix + "option \"key\" must be ...") unless every option is one that
// parse_kmeans_options could have produced (ranges, enum values, feature_names null =>
// no names). Does not know dims: validate_model checks the number of names.
void validate_kmeans_options(const KMeansOptions& o, ErrorKind kind, std::string_view prefix);

// Throws Error(InvalidParameter) when a fit on a sample of `sample` rows cannot find k
// clusters though the table has enough rows (sample < k): the message names option "sample"
// instead of reporting the sample as the table's usable rows.
void require_sample_holds_k(int64_t sample, int32_t k, std::string_view fn);

// The same for the options of a model of algorithm a; options that a does not take must have
// their default values.
void validate_model_options(const KMeansOptions& o, ModelAlgorithm a, ErrorKind kind,
                            std::string_view prefix);

}  // namespace cseg
