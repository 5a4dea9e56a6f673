// One customer's features prepared for a model: read, length-checked, imputed, scaled.
#pragma once

#include "datum_codec.hpp"

namespace cseg_pg {

// Reads argument argno into cache->scratch in the model's scaled space. Returns false when
// the row has a NULL or non-finite element and the model does not impute (result is NULL).
bool model_point(FunctionCallInfo fcinfo, ModelCache* cache, int argno, const char* fn);

}  // namespace cseg_pg
