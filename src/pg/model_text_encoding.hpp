// Texts inside a model must be valid in the database encoding (else pg_dump writes a COPY of
// seg_models that cannot be restored).
#pragma once

#include "model.hpp"

namespace cseg_pg {

// Throws cseg::Error(InvalidEncoding) naming the first text of m that is not valid in the
// database encoding (or holds a NUL byte). Never calls ereport: safe inside guarded().
void check_model_texts(const cseg::Model& m);

}  // namespace cseg_pg
