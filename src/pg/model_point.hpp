// One customer's features prepared for a model: read, length-checked, imputed, scaled.
#pragma once

#include "datum_codec.hpp"

namespace cseg_pg {

// Raises the 22023 error naming the kinds that take op (cseg::require_operation) unless the
// model's kind takes it.
void require_model_operation(const ModelCache* cache, cseg::ModelOperation op, const char* fn);

// Reads argument argno into cache->scratch in the model's scaled space. Returns false when
// the row has a NULL or non-finite element and the model does not impute (result is NULL).
// A kind that does not take ModelOperation::AssignNumbers (k-prototypes: its rows need their
// categories, model_mixed_point) is an error naming the kinds that do.
bool model_point(FunctionCallInfo fcinfo, ModelCache* cache, int argno, const char* fn);

// For a kind taking ModelOperation::AssignMixed (anything else is an error): reads the numeric argument num_arg
// as model_point does and the categorical text[] argument cat_arg into cache->codes, each the
// code of the model's category (-1 for one not seen in training: it matches no mode). NULL
// categories are imputed when the model imputes; otherwise the result is false (NULL).
bool model_mixed_point(FunctionCallInfo fcinfo, ModelCache* cache, int num_arg, int cat_arg,
                       const char* fn);

// The codes of a row's q = m.cat_dims categories (data[j] of len[j] bytes, len[j] < 0 for
// NULL) into codes: the model's code, -1 for a category not seen in training, the imputed
// mode for NULL when the model imputes. Returns false when one is NULL and it does not.
bool model_category_codes(const cseg::ModelView& m, const char* const* data, const int32* len,
                          int32* codes);

// The same for features already read into in[0..dims) (NaN or +-Inf = missing): the
// model's feature pipeline — transform, impute, clip — then its scaler, into x (in == x
// allowed). Returns false when a value is missing and the model does not impute. A value
// outside its feature's transform domain is an error (22000) naming the feature.
bool model_point_values(const cseg::ModelView& m, const double* in, double* x);

// The transform step alone (missing values stay missing); raises the domain error.
void model_transform_values(const cseg::ModelView& m, double* x);

}  // namespace cseg_pg
